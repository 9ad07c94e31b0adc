#!/usr/bin/env python3
"""Draws the demo clinic's rich menu pictures (server/engine/src/demo/menus/)
with headless Chromium: coloured tiles with the areas' names, as the
designer's 「タイルから作る」 does. Run again only when the demo menus
change (server/engine/src/demo/rich_menus.rs); it needs `chromium` and a
Japanese font (Debian: fonts-ipafont-gothic). The PNGs are committed."""
import os, subprocess, tempfile

OUT = os.path.join(os.path.dirname(__file__), "..", "server", "engine", "src", "demo", "menus")
GREEN, BLUE, RED, AMBER, PURPLE, GREY = "#2e7d6b", "#1f5fa8", "#b5473a", "#b7791f", "#6d4c9f", "#53606a"

def grid(w, h, cols, rows):
    def cuts(n, parts):
        base, extra = divmod(n, parts)
        at, out = 0, []
        for i in range(parts):
            run = base + (1 if i < extra else 0)
            out.append((at, run))
            at += run
        return out
    return [(x, y, cw, rh) for (y, rh) in cuts(h, rows) for (x, cw) in cuts(w, cols)]

MENUS = {
    "demo-menu": (2500, 1686, 3, 2, [("予約する", GREEN), ("診療時間", BLUE), ("アクセス", BLUE),
                                     ("予防接種", AMBER), ("問い合わせ", PURPLE), ("ご案内へ ▶", GREY)]),
    "demo-guide": (2500, 843, 3, 1, [("休診日", BLUE), ("電話する", GREEN), ("◀ メニューへ", GREY)]),
    "demo-staff": (2500, 843, 3, 1, [("勤務表", PURPLE), ("職員連絡", BLUE), ("電話する", GREEN)]),
    "demo-holiday": (2500, 843, 3, 1, [("休診のお知らせ", RED), ("電話する", GREEN), ("予約する", GREEN)]),
}

for name, (w, h, cols, rows, items) in MENUS.items():
    tiles = "".join(
        f'<div style="position:absolute;left:{x+6}px;top:{y+6}px;width:{cw-12}px;height:{rh-12}px;'
        f'background:{colour};color:#fff;display:flex;align-items:center;justify-content:center;'
        f'font:bold 120px IPAGothic,sans-serif;border-radius:24px">{label}</div>'
        for (x, y, cw, rh), (label, colour) in zip(grid(w, h, cols, rows), items)
    )
    html = f'<!doctype html><meta charset="utf-8"><body style="margin:0;width:{w}px;height:{h}px;background:#fff;position:relative">{tiles}</body>'
    with tempfile.NamedTemporaryFile("w", suffix=".html", delete=False, encoding="utf-8") as f:
        f.write(html)
    target = os.path.abspath(os.path.join(OUT, name + ".png"))
    subprocess.run(["chromium", "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
                    "--force-device-scale-factor=1", f"--window-size={w},{h}", f"--screenshot={target}",
                    "file://" + f.name], check=True, stderr=subprocess.DEVNULL)
    print(target, os.path.getsize(target))
