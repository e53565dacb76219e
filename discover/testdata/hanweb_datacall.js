document.write('<ul class="list">');
document.write('<li><a href="/art/2025/1/20/art_74186_4398211.html" target="_blank" title="南京市江宁区2024年政府信息公开工作年度报告">南京市江宁区2024年政府信息公开工作年度报告</a><span>2025-01-20</span></li>');
document.write("<li><a href='/art/2024/1/22/art_74186_4087301.html' target='_blank' title='南京市江宁区2023年政府信息公开工作年度报告'>"+'南京市江宁区2023年政府信息公开工作年度报告'+"</a><span>2024-01-22</span></li>");
document.write('<li><a href="/art/2024/1/10/art_74186_4076001.html" target="_blank">江宁区2023年法治政府建设年度报告</a></li>');
document.write('</ul>');
