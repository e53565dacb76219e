/*
 * The bundle of shell.html (see its header for the evidence): it signs its
 * list request with values computed when it runs (a timestamp, a nonce, a
 * checksum over both), POSTs JSON, and writes the list into #app. Besides,
 * as real bundles do, it reads a statistics file under a path robots.txt
 * disallows, reports the visit to another host, and loads an image.
 */
(function () {
  function checksum(s) {
    var h = 5381;
    for (var i = 0; i < s.length; i++) {
      h = ((h * 33) ^ s.charCodeAt(i)) >>> 0;
    }
    return h.toString(16);
  }
  var ts = String(Date.now());
  var nonce = ts.split('').reverse().join('');
  var app = document.getElementById('app');
  fetch('/gate/api/column/list?ts=' + ts, {
    method: 'POST',
    headers: {
      'Content-Type': 'application/json;charset=UTF-8',
      'x-tif-timestamp': ts,
      'x-tif-nonce': nonce,
      'x-tif-signature': checksum(ts + 'ndbg' + nonce + ts)
    },
    body: JSON.stringify({ columnCode: 'ndbg', pageNo: 1, pageSize: 15 })
  }).then(function (r) { return r.json(); }).then(function (j) {
    var rows = (j.data && j.data.list) || [];
    app.innerHTML = '<ul class="list">' + rows.map(function (x) {
      return '<li><a href="' + x.linkUrl + '" target="_blank">' + x.title + '</a><span>' + x.publishDate + '</span></li>';
    }).join('') + '</ul>';
  });
  fetch('/private/stat/visit.json?ts=' + ts);
  fetch('http://localhost:' + location.port + '/collect?page=' + encodeURIComponent(location.pathname));
  new Image().src = '/static/img/banner.jpg';
})();
