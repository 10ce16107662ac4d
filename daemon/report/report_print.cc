#include "report/report_print.h"

namespace camwatch {

std::string_view printStyleSheet() {
  // Why each print rule: A4 portrait with margins a printer can print; black text on white (no
  // background colours: printers drop them or waste toner; a severity badge keeps its word and
  // its coloured border); h2 starts a page, so each section can be handed out on its own (but the
  // findings, which open page 1 under the title, and the facts of the replay after them); table
  // cells break a hostname too long for its column (at a space if there is one: on screen .host
  // breaks anywhere) instead of running off the page, but times, numbers and digests stay whole (a
  // digest split over two lines cannot be searched for in the PDF's text); a row, a chart or a fact
  // list is never cut by a page break where it fits on one page; the heading row repeats on each
  // page of a long table. Links are all within the page (it fetches nothing): they print as plain
  // text and stay clickable in the PDF. The filter boxes and the timelines' log-scale switch do
  // nothing on paper, so they are not printed (the timelines print at the scale on screen).
  return R"(<style>
code.digest{white-space:nowrap}
@media print{
@page{size:A4;margin:12mm 10mm 14mm}
body{margin:0;font-size:9pt;line-height:1.3;color:#000;background:#fff}
h1{font-size:16pt;margin:0 0 4pt}h2{font-size:13pt;margin:0 0 6pt;break-before:page}
#findings>h2,h2#about{margin-top:14pt;break-before:auto}
h3{font-size:10.5pt;margin:10pt 0 4pt}h2,h3{break-after:avoid}
table{width:100%;font-size:7pt;margin:2pt 0 8pt}th,td{padding:1.5pt 3pt;border-color:#999}
th{background:none;cursor:auto}thead{display:table-header-group}
tr,figure,dl.facts,svg{break-inside:avoid}td{overflow-wrap:break-word}
td.n,td.t,code.digest{white-space:nowrap;overflow-wrap:normal}
.host{max-width:none;word-break:normal;overflow-wrap:anywhere}
svg.chart{max-width:100%;height:auto}figcaption{font-size:8pt}
pre{max-height:none;overflow:visible;white-space:pre-wrap;overflow-wrap:break-word;background:none;border-color:#999;font-size:7.5pt}
code.digest{font-size:7pt}input.filter,input.scale-toggle,input.scale-toggle+label{display:none}a{color:inherit;text-decoration:none}
.lvl{background:none!important}.deny{color:#8b0000}.allow{color:#14502a}.muted{color:#444}
}
</style>
)";
}

}  // namespace camwatch
