/* A list service's JSONP answer that opens with a comment and carries its list as markup inside
   strings, at depths a fixed key does not reach: a string field holding JSON whose "html" holds
   the list's anchors, or rows that link by a handler or a data-url (the JPaaS unit answers {"data":{"html":"<div class=\"page-content\">…"}} in
   public crawler tests of www.miit.gov.cn, stored code index id 58297342110), and a field holding
   a Hanweb <datastore> with CDATA records (PORTALS.md). The empty-comment-then-callback opening is how Java JSONP
   writers answer (a fastjson ResponseTool, id 3617902503; ueditor's controller test, id
   1136406393; Spring's SockJS frame format, id 13197943856). Titles and paths are invented. */
/**/jQuery1124038({"code":"200","msg":"ok","result":"{\"total\":3,\"html\":\"<ul class=\\\"list\\\"><li><a href=\\\"/zwgk/xxgk/gknb/2024/t9001.html\\\" title=\\\"某某区2023年政府信息公开工作年度报告\\\">某某区2023年政府信息…</a><span>2024-01-25</span></li><li><a href=\\\"/zwgk/xxgk/gknb/2024/t9002.html\\\">某某区2023年法治政府建设年度报告</a></li><li onclick=\\\"window.open('/zwgk/xxgk/gknb/2023/t8001.html')\\\">某某区2022年度政府信息公开工作年度报告</li><li data-url=\\\"/zwgk/xxgk/gknb/2022/t7001.html\\\">某某区2021年政府信息公开工作年度报告</li></ul><div class=\\\"page\\\"><a href=\\\"javascript:;\\\">下一页</a></div>\"}","extra":{"items":[{"content":"<datastore><recordset><record><![CDATA[<li><a href='/art/2023/1/20/art_1229_5521.html'>某某区2022年政府信息公开工作年度报告</a></li>]]></record></recordset></datastore>"}]}});
