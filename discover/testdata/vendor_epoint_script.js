/*
 * A WebBuilder site-wide script, written for this test after the shape of
 * webBuilderCommon.js in public material (code index id 28192343862; the
 * Jiangsu collector id 70917371947 reads "var siteInfo = {…}" from
 * /js/webBuilderCommon.js): the site's identifiers in one object, and request
 * helpers that build their URL from siteInfo.projectName.
 */
var siteInfo = {"siteGuid":"b3c0a6e2-41f7-4d2a-9e85-0c7d2f1a6b90","projectName":"/EWB-FRONT","webVersion":"5.0","vname":"/","tempVersion":"20230105120000"}
if (!window.webbuilder) {
    window.webbuilder = {};
}
jQuery.extend(webbuilder, (function (win, $) {
    return {
        getGovInfoList: function (deptcode, categorynum, pageIndex, pageSize, callback) {
            var str = {"siteGuid": siteInfo.siteGuid, "deptcode": deptcode, "categorynum": categorynum, "pageIndex": pageIndex, "pageSize": pageSize};
            Util.ajax({
                url: siteInfo.projectName + "/rest/lightfrontaction/getgovinfolist",
                data: JSON.stringify(str),
                contentType: "application/json;charset=UTF-8",
                success: function (msg) {
                    callback(msg.custom);
                }
            }, true);
        },
        getVerificationCode: function (width, height, callback) {
            Util.ajax({
                url: siteInfo.projectName + "/rest/frontAppNotNeedLoginAction/getVerificationCode",
                data: {"width": width, "height": height},
                success: function (msg) { callback(msg.custom); }
            }, true);
        }
    };
}(this, jQuery)));
