"""The one-file report: every plot inline as a PNG data URI, its caption and the tables behind
it; plain HTML and CSS, no script, no network reference."""
import base64
import html
from datetime import datetime, timezone

CSS = """body{font-family:"DejaVu Sans",Arial,sans-serif;margin:24px;max-width:1200px;color:#222}
h1{font-size:22px}h2{font-size:17px;border-bottom:1px solid #ccc;padding-bottom:4px;margin-top:36px}
img{max-width:100%;height:auto;border:1px solid #eee}p.caption{color:#444;font-size:13px}
table{border-collapse:collapse;font-size:12px;margin:8px 0 16px}th,td{border:1px solid #ccc;padding:2px 6px;text-align:right}
th{background:#f0f0f0}td:first-child,th:first-child{text-align:left}caption{text-align:left;font-weight:bold;padding:4px 0}
details{margin-bottom:8px}nav li{font-size:13px}"""


def _table(t):
    head = "".join(f"<th>{html.escape(str(h))}</th>" for h in t.header)
    body = "".join("<tr>" + "".join(f"<td>{html.escape(str(c))}</td>" for c in row) + "</tr>" for row in t.rows)
    return (f'<table class="data"><caption>{html.escape(t.caption)}</caption><thead><tr>{head}</tr></thead>'
            f"<tbody>{body}</tbody></table>")


def write(path, plots, inputs, command):
    parts = [f"<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>rackscope report</title><style>{CSS}</style></head><body>",
             "<h1>rackscope report</h1>",
             f"<p class=\"caption\">Made {datetime.now(timezone.utc).strftime('%Y-%m-%d %H:%M UTC')} by <code>{html.escape(command)}</code> "
             f"from {', '.join(html.escape(i) for i in inputs)}.</p><nav><ul>"]
    parts += [f'<li><a href="#{p.name}">{html.escape(p.title)}</a></li>' for p in plots]
    parts.append("</ul></nav>")
    for p in plots:
        data = base64.b64encode(p.png.read_bytes()).decode()
        parts.append(f'<section class="plot" id="{p.name}"><h2>{html.escape(p.title)}</h2>'
                     f'<img src="data:image/png;base64,{data}" alt="{html.escape(p.title)}" data-name="{p.name}">'
                     f'<p class="caption">{html.escape(p.caption)} Files: {p.png.name}, {p.svg.name}.</p>')
        for t in p.tables:
            parts.append(f"<details open><summary>{html.escape(t.caption)} ({len(t.rows)} rows)</summary>{_table(t)}</details>")
        parts.append("</section>")
    parts.append("</body></html>\n")
    path.write_text("".join(parts))
