// timeline_page.cc: the HTML, CSS and script of timeline.html around its
// data (see timeline.h). Plain canvas drawing, no libraries: the page must
// open from a CI artifact without network access.

#include <string>
#include <tuple>

#include "lockharness/harness/report/timeline.h"
#include "lockharness/harness/report/xml_text.h"

namespace lockharness::harness::report {
namespace {

constexpr const char kHead[] = R"HTML(<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>)HTML";

constexpr const char kStyle[] = R"HTML(</title>
<style>
body{font:13px system-ui,sans-serif;margin:12px;color:#222}
h1{font-size:16px;margin:0 0 4px}
#summary,#note,#truncated{margin:2px 0}
#truncated{color:#a40;font-weight:bold}
#note{color:#a40}
#legend span{display:inline-block;margin-right:14px}
#legend i{display:inline-block;width:12px;height:10px;margin-right:4px;vertical-align:middle}
#controls{margin:6px 0}
#wrap{position:relative;border:1px solid #ccc;overflow:hidden}
canvas{display:block}
#tip{position:absolute;pointer-events:none;background:#fffbe6;border:1px solid #999;
padding:4px 6px;white-space:pre;font:12px ui-monospace,monospace;display:none;z-index:2}
</style></head><body>
<h1 id="title"></h1>
<div id="summary"></div><div id="truncated">)HTML";

constexpr const char kBody[] = R"HTML(</div><div id="note"></div>
<div id="legend">
<span><i style="background:#3a8f3a"></i>ok</span><span><i style="background:#d43c3c"></i>fail</span>
<span><i style="background:#e8a317"></i>info (outcome unknown)</span><span><i style="background:#999"></i>pending</span>
<span><i style="background:#1f3f99;height:4px"></i>lock held</span>
<span><i style="background:#8e24aa"></i>injected fault</span><span><i style="background:#000"></i>invalid reader sample</span>
<span id="crash-legend" style="display:none"><i style="background:#e00000;width:3px"></i>crash point of a violating state</span>
</div>
<div id="controls">wheel: zoom, drag: pan &nbsp;<button id="reset">reset zoom</button>
<label>from <input id="from" type="range" min="0" max="1000" value="0"></label>
<label>to <input id="to" type="range" min="0" max="1000" value="1000"></label>
<span id="range"></span></div>
<div id="wrap"><canvas id="c"></canvas><div id="tip"></div></div>
<script type="application/json" id="timeline-data">)HTML";

constexpr const char kScript[] = R"HTML(</script>
<script>
(function () {
"use strict";
var D = JSON.parse(document.getElementById("timeline-data").textContent);
var COLORS = ["#3a8f3a", "#d43c3c", "#e8a317", "#999999"];
var LABEL_W = 110, AXIS_H = 26, LANE_H = 20;
var canvas = document.getElementById("c"), ctx = canvas.getContext("2d");
var tip = document.getElementById("tip"), wrap = document.getElementById("wrap");
document.getElementById("title").textContent = "lockharness timeline: " + D.title;
document.getElementById("summary").textContent =
  D.total_ops + " operations, " + D.total_faults + " injected faults, " +
  D.total_invalid_reads + " invalid and " + D.valid_reads + " valid reader samples recorded";
document.getElementById("note").textContent = D.note || "";
var CRASH = D.crash_points || [];
if (CRASH.length) {
  document.getElementById("crash-legend").style.display = "inline-block";
  document.getElementById("summary").textContent +=
    "; " + D.total_crash_points + " crash points of violating states marked";
}

var lanes = D.lanes.map(function () { return []; });
D.ops.forEach(function (o) { lanes[o[0]].push(o); });
lanes.forEach(function (l) { l.sort(function (a, b) { return a[1] - b[1]; }); });
var markers = D.lanes.map(function () { return []; });
D.faults.forEach(function (f) { markers[f[0]].push({t: f[1], kind: "fault", row: f}); });
D.invalid_reads.forEach(function (r) { markers[r[0]].push({t: r[1], kind: "read", row: r}); });
var END = Math.max(D.end, 1);
var view = {a: 0, b: END * 1.02};

function width() { return Math.max(300, wrap.clientWidth || window.innerWidth - 30); }
function X(t) { return LABEL_W + (t - view.a) / (view.b - view.a) * (width() - LABEL_W); }
function T(x) { return view.a + (x - LABEL_W) / (width() - LABEL_W) * (view.b - view.a); }
function ms(us) { return (us / 1000).toFixed(3) + " ms"; }

function niceStep(span, n) {
  var raw = span / n, p = Math.pow(10, Math.floor(Math.log10(raw)));
  var m = raw / p;
  return (m < 1.5 ? 1 : m < 3.5 ? 2 : m < 7.5 ? 5 : 10) * p;
}

function draw() {
  var w = width(), h = AXIS_H + LANE_H * D.lanes.length + 4;
  var dpr = window.devicePixelRatio || 1;
  canvas.width = w * dpr; canvas.height = h * dpr;
  canvas.style.width = w + "px"; canvas.style.height = h + "px";
  ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
  ctx.clearRect(0, 0, w, h);
  ctx.font = "11px sans-serif";
  var step = niceStep(view.b - view.a, Math.max(2, (w - LABEL_W) / 110));
  ctx.strokeStyle = "#eee"; ctx.fillStyle = "#444"; ctx.textBaseline = "middle";
  for (var t = Math.ceil(view.a / step) * step; t <= view.b; t += step) {
    var x = X(t);
    ctx.beginPath(); ctx.moveTo(x, AXIS_H - 4); ctx.lineTo(x, h); ctx.stroke();
    ctx.fillText(step < 1000 ? ms(t) : (t / 1000).toFixed(step < 10000 ? 1 : 0) + " ms", x + 2, 10);
  }
  for (var i = 0; i < D.lanes.length; ++i) {
    var y = AXIS_H + i * LANE_H;
    ctx.fillStyle = i % 2 ? "#fafafa" : "#f2f2f2";
    ctx.fillRect(0, y, w, LANE_H);
    ctx.fillStyle = "#222";
    ctx.fillText(D.lanes[i], 4, y + LANE_H / 2);
    drawLane(lanes[i], y);
    drawMarkers(markers[i], y);
  }
  drawCrashPoints(h);
  document.getElementById("range").textContent = ms(view.a) + " .. " + ms(view.b);
}

function drawLane(ops, y) {
  for (var k = 0; k < ops.length; ++k) {
    var o = ops[k], end = o[2] === null ? END : o[2];
    if (end < view.a || o[1] > view.b) continue;
    var x0 = Math.max(LABEL_W, X(o[1])), x1 = Math.min(width(), X(end));
    ctx.fillStyle = COLORS[o[3]];
    ctx.fillRect(x0, y + 3, Math.max(1, x1 - x0), LANE_H - 6);
    if (o[8] !== null && o[9] !== null) {
      var l0 = Math.max(LABEL_W, X(o[8])), l1 = Math.min(width(), X(o[9]));
      ctx.fillStyle = "#1f3f99";
      ctx.fillRect(l0, y + LANE_H / 2 - 2, Math.max(1, l1 - l0), 4);
    }
  }
}

function drawMarkers(list, y) {
  for (var k = 0; k < list.length; ++k) {
    var m = list[k];
    if (m.t < view.a || m.t > view.b) continue;
    var x = X(m.t);
    ctx.fillStyle = m.kind === "fault" ? "#8e24aa" : "#000";
    ctx.beginPath();
    ctx.moveTo(x, y + 1); ctx.lineTo(x + 5, y + 8); ctx.lineTo(x, y + LANE_H - 1);
    ctx.lineTo(x - 5, y + 8); ctx.closePath(); ctx.fill();
  }
}

// A red dashed line across every lane, labelled in the axis row.
function drawCrashPoints(h) {
  ctx.save();
  ctx.strokeStyle = "#e00000"; ctx.fillStyle = "#e00000"; ctx.lineWidth = 2;
  ctx.setLineDash([5, 3]);
  CRASH.forEach(function (c) {
    if (c[0] < view.a || c[0] > view.b) return;
    var x = X(c[0]);
    ctx.beginPath(); ctx.moveTo(x, AXIS_H - 6); ctx.lineTo(x, h); ctx.stroke();
    ctx.fillText(c[1], x + 3, AXIS_H - 6);
  });
  ctx.restore();
}

function describeCrash(c) {
  return "power cut at " + ms(c[0]) + " (" + c[1] + ")\n" + c[2];
}

function describeOp(o) {
  var lines = ["op " + o[10] + " " + o[4] + " " + o[5], "pid " + o[6] + ", " + D.lanes[o[0]],
               "invoked at " + ms(o[1])];
  lines.push(o[2] === null ? "never completed" :
             D.outcomes[o[3]] + " at " + ms(o[2]) + " (took " + ms(o[2] - o[1]) + ")");
  if (o[8] !== null && o[9] !== null) lines.push("lock held " + ms(o[8]) + " .. " + ms(o[9]));
  if (o[7]) lines.push("error: " + o[7]);
  return lines.join("\n");
}

function describeMarker(m) {
  var r = m.row;
  if (m.kind === "fault") return "fault " + r[2] + "\ntarget: " + r[3] + "\npid " + r[4] + " at " + ms(r[1]);
  return "invalid reader sample at " + ms(r[1]) + "\npid " + r[3] + "\n" + r[2];
}

function find(x, y) {
  var i = Math.floor((y - AXIS_H) / LANE_H);
  if (x < LABEL_W) return null;
  var t = T(x), tol = 4 * (view.b - view.a) / (width() - LABEL_W);
  var best = null, dist = tol;
  CRASH.forEach(function (c) {
    var d = Math.abs(c[0] - t);
    if (d <= dist) { dist = d; best = describeCrash(c); }
  });
  if (best) return best;
  if (i < 0 || i >= D.lanes.length) return null;
  markers[i].forEach(function (m) {
    var d = Math.abs(m.t - t);
    if (d <= dist) { dist = d; best = describeMarker(m); }
  });
  if (best) return best;
  var ops = lanes[i], lo = 0, hi = ops.length;
  while (lo < hi) { var mid = (lo + hi) >> 1; if (ops[mid][1] <= t + tol) lo = mid + 1; else hi = mid; }
  for (var k = lo - 1; k >= 0 && k >= lo - 64; --k) {
    var end = ops[k][2] === null ? END : ops[k][2];
    if (end + tol >= t) return describeOp(ops[k]);
  }
  return null;
}

var drag = null;
canvas.addEventListener("mousemove", function (e) {
  var r = canvas.getBoundingClientRect(), x = e.clientX - r.left, y = e.clientY - r.top;
  if (drag) {
    var dt = (drag.x - x) / (width() - LABEL_W) * (drag.b - drag.a);
    view.a = drag.a + dt; view.b = drag.b + dt; draw(); tip.style.display = "none"; return;
  }
  var text = find(x, y);
  if (!text) { tip.style.display = "none"; return; }
  tip.textContent = text; tip.style.display = "block";
  tip.style.left = Math.min(x + 12, width() - 260) + "px"; tip.style.top = (y + 14) + "px";
});
canvas.addEventListener("mouseleave", function () { tip.style.display = "none"; drag = null; });
canvas.addEventListener("mousedown", function (e) {
  var r = canvas.getBoundingClientRect();
  drag = {x: e.clientX - r.left, a: view.a, b: view.b};
});
window.addEventListener("mouseup", function () { drag = null; });
canvas.addEventListener("wheel", function (e) {
  e.preventDefault();
  var r = canvas.getBoundingClientRect(), x = e.clientX - r.left;
  var t = T(Math.max(LABEL_W, x)), f = e.deltaY < 0 ? 0.8 : 1.25;
  var a = t - (t - view.a) * f, b = t + (view.b - t) * f;
  if (b - a < 0.001) return;
  view.a = a; view.b = b; draw();
}, {passive: false});
function fromSliders() {
  var a = +document.getElementById("from").value, b = +document.getElementById("to").value;
  if (b <= a) b = a + 1;
  view.a = END * 1.02 * a / 1000; view.b = END * 1.02 * b / 1000; draw();
}
document.getElementById("from").addEventListener("input", fromSliders);
document.getElementById("to").addEventListener("input", fromSliders);
document.getElementById("reset").addEventListener("click", function () {
  document.getElementById("from").value = 0; document.getElementById("to").value = 1000;
  view.a = 0; view.b = END * 1.02; draw();
});
window.addEventListener("resize", draw);
draw();
})();
</script>
</body></html>
)HTML";

size_t Count(const nlohmann::json& data, const char* key) {
  auto it = data.find(key);
  return it != data.end() && it->is_array() ? it->size() : 0;
}

size_t Total(const nlohmann::json& data, const char* key) {
  auto it = data.find(key);
  return it != data.end() && it->is_number_integer() ? it->get<size_t>() : 0;
}

}  // namespace

std::string TruncationNotice(const nlohmann::json& data) {
  std::string cut;
  for (auto [list, total, what] :
       {std::tuple{"ops", "total_ops", "operations"},
        std::tuple{"faults", "total_faults", "faults"},
        std::tuple{"invalid_reads", "total_invalid_reads", "invalid reader samples"},
        std::tuple{"crash_points", "total_crash_points", "crash points"}}) {
    const size_t shown = Count(data, list);
    const size_t all = Total(data, total);
    if (shown >= all) continue;
    cut += cut.empty() ? "" : ", ";
    cut += "the first " + std::to_string(shown) + " of " + std::to_string(all) + " " + what;
  }
  if (cut.empty()) return "";
  return "Truncated to keep this file bounded: showing " + cut + "; history.jsonl has everything.";
}

std::string JsonForScript(const nlohmann::json& json) {
  const std::string text = json.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  std::string out;
  out.reserve(text.size() + text.size() / 16);
  for (char c : text) {
    // '<' only occurs inside JSON strings, where \u003c means the same.
    if (c == '<') {
      out.append("\\u003c");
    } else {
      out.push_back(c);
    }
  }
  return out;
}

std::string TimelinePage(const nlohmann::json& data) {
  std::string page = kHead;
  AppendXmlEscaped("lockharness timeline: " + data.value("title", std::string()), XmlContext::kText,
                   &page);
  page.append(kStyle);
  AppendXmlEscaped(TruncationNotice(data), XmlContext::kText, &page);
  page.append(kBody);
  page.append(JsonForScript(data));
  page.append(kScript);
  return page;
}

}  // namespace lockharness::harness::report
