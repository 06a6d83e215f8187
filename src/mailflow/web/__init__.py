"""The read-only web board (看板) and calendar feeds: ``mailflow web``.

An entry point beside the daemon: it reads the tracker (never writes, never migrates) and serves
server-rendered pages, a JSON API and per-person ICS feeds, each reached through a signed,
expiring link (:mod:`mailflow.domain.board_links`). See docs/web.md.
"""
