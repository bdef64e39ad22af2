/// The `/docs` stylesheet, inlined into the page and allowed by its hash (no external assets:
/// the page must work offline, with system fonts only).
enum DocsStyle {
    static let source = """
        :root { --fg: #1b1f24; --muted: #57606a; --line: #d0d7de; --bg-soft: #f6f8fa; --accent: #0b5cad; }
        * { box-sizing: border-box; }
        body { margin: 0; font-family: system-ui, -apple-system, "Segoe UI", sans-serif; color: var(--fg); line-height: 1.45; font-size: 15px; }
        .wrap { max-width: 76rem; margin: 0 auto; padding: 0 1.25rem; }
        header.top { background: #0d1b2a; color: #e8eef5; padding: 1.2rem 0 .9rem; }
        header.top h1 { margin: 0 0 .3rem; font-size: 1.6rem; }
        header.top .lead { margin: 0 0 .6rem; color: #c6d2df; max-width: 60rem; }
        header.top nav a { color: #9fd0ff; margin-right: 1.2rem; text-decoration: none; font-weight: 600; }
        .version { font-size: .85rem; font-weight: 400; color: #9fb3c8; margin-left: .4rem; }
        h2 { font-size: 1.35rem; margin: 1.8rem 0 .6rem; border-bottom: 1px solid var(--line); padding-bottom: .3rem; }
        a { color: var(--accent); }
        code, pre, textarea, input, select { font-family: ui-monospace, "SFMono-Regular", Menlo, Consolas, monospace; }
        code { font-size: .88em; }
        .muted { color: var(--muted); }
        .cards { display: grid; grid-template-columns: repeat(auto-fill, minmax(22rem, 1fr)); gap: 1rem; }
        .card { border: 1px solid var(--line); border-radius: 8px; padding: .8rem 1rem; background: #fff; }
        .card h3 { margin: 0 0 .3rem; font-size: 1.1rem; }
        .card h3 a { color: var(--fg); text-decoration: none; }
        .card p { margin: 0 0 .5rem; color: var(--muted); font-size: .9rem; }
        .count { font-size: .75rem; background: var(--bg-soft); border: 1px solid var(--line); border-radius: 10px; padding: 0 .45rem; color: var(--muted); vertical-align: middle; }
        .routes { list-style: none; margin: 0; padding: 0; max-height: 13.5rem; overflow-y: auto; }
        .routes li { padding: .12rem 0; white-space: nowrap; overflow: hidden; text-overflow: ellipsis; }
        .routes a { text-decoration: none; color: var(--fg); }
        .routes a:hover code { text-decoration: underline; }
        .method { display: inline-block; min-width: 3.6rem; text-align: center; font-size: .72rem; font-weight: 700; border-radius: 4px; padding: .05rem .3rem; color: #fff; background: #6e7781; font-family: ui-monospace, Menlo, monospace; }
        .method.get { background: #1f6feb; } .method.post { background: #1a7f37; } .method.put { background: #9a6700; }
        .method.patch { background: #8250df; } .method.delete { background: #cf222e; }
        .sandbox { background: var(--bg-soft); border: 1px solid var(--line); border-radius: 8px; padding: 0 1rem 1rem; margin-top: 1.5rem; }
        .sandbox h2 { border: 0; }
        .sandbox-grid { display: grid; grid-template-columns: minmax(18rem, 2fr) 3fr; gap: 1.5rem; }
        .sandbox-inputs label { display: block; font-weight: 600; margin: .7rem 0 .2rem; font-size: .9rem; }
        .sandbox-inputs input, .sandbox-inputs select, .sandbox-inputs textarea { width: 100%; padding: .4rem; font-size: .85rem; border: 1px solid var(--line); border-radius: 4px; background: #fff; }
        .sandbox-output h3 { font-size: 1rem; margin: 1rem 0 .3rem; }
        .code { background: #0d1117; color: #e6edf3; padding: .7rem .8rem; border-radius: 6px; white-space: pre-wrap; word-break: break-all; font-size: .82rem; margin: 0; max-height: 22rem; overflow: auto; }
        .code.muted { color: #9aa4ae; }
        button { padding: .4rem .9rem; font-size: .9rem; border-radius: 5px; border: 1px solid #1a7f37; background: #1f883d; color: #fff; cursor: pointer; }
        button#sb-copy { background: #fff; color: var(--fg); border-color: var(--line); }
        button:disabled { opacity: .5; cursor: not-allowed; }
        .summary { font-weight: 600; margin: .8rem 0 .2rem; }
        .family { font-size: 1.2rem; margin: 2rem 0 .5rem; color: var(--accent); }
        .op { border-top: 1px solid var(--line); padding: .6rem 0 1rem; }
        .op h4 { margin: .3rem 0; font-size: 1rem; }
        .op .description { margin: .3rem 0; font-size: .92rem; max-width: 62rem; }
        table { border-collapse: collapse; margin: .6rem 0; width: 100%; font-size: .86rem; }
        caption { text-align: left; font-weight: 600; padding: .2rem 0; }
        th, td { border: 1px solid var(--line); padding: .25rem .5rem; text-align: left; vertical-align: top; }
        th { background: var(--bg-soft); }
        tr.d1 td:first-child { padding-left: 1.4rem; } tr.d2 td:first-child { padding-left: 2.4rem; }
        tr.d3 td:first-child { padding-left: 3.4rem; } tr.d0 td { background: #fbfcfd; }
        .req { font-size: .7rem; color: #cf222e; font-weight: 600; }
        .status { font-family: ui-monospace, Menlo, monospace; font-weight: 700; }
        .status.ok { color: #1a7f37; } .status.err { color: #cf222e; }
        .highlight { outline: 3px solid #f2cc60; outline-offset: 2px; }
        @media (max-width: 50rem) { .sandbox-grid { grid-template-columns: 1fr; } }
        """
}
