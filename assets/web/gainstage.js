// gainstage remote views: one connection per server, compact frames at 30 Hz, drawn at the
// display's rate. Colours and words come from the server (the GUI's rules); this file only
// maps them to paint. Standard APIs only: WebSocket, canvas, requestAnimationFrame.
"use strict";

const GS = (() => {
  const COLOR = {
    good: "#29c761", hot: "#faad1a", clip: "#eb332e",
    bg: "#121214", panel: "#212126", track: "#0b0b0d", text: "#ededf2", dim: "#9ea0ab",
    grey: "#55565c", zone: "rgba(140,166,242,0.18)",
  };
  const ZONES = ["good", "hot", "clip"];
  const WORDS = ["GOOD", "HOT", "CLIP", "LOW", "NO SIGNAL"];
  // The GUI's performer view: green GOOD, amber HOT, red CLIP, plain text otherwise.
  const WORD_COLOR = { GOOD: COLOR.good, HOT: COLOR.hot, CLIP: COLOR.clip };
  const FLOOR_DB = -60;
  // Frames come 30 times a second: none for this long means the link is down.
  const STALE_MS = 700;
  const params = new URLSearchParams(location.search);
  // The control token leaves the address bar as soon as it is read, so it is not in the
  // history, a bookmark, a screenshot or a link copied from the bar. This tab keeps it for
  // this page alone, so a reload still controls.
  (() => {
    const kept = "gainstage.token:" + location.pathname;
    if (params.has("token")) {
      const shown = new URLSearchParams(location.search);
      shown.delete("token");
      const rest = shown.toString();
      history.replaceState(history.state, "", location.pathname + (rest ? "?" + rest : "") + location.hash);
      try { sessionStorage.setItem(kept, params.get("token")); } catch (e) { /* storage off */ }
    } else {
      let token = null;
      try { token = sessionStorage.getItem(kept); } catch (e) { /* storage off */ }
      if (token) params.set("token", token);
    }
  })();

  function channelsFrom(spec, count) {
    if (!spec) return Array.from({ length: count }, (_, i) => i + 1);
    const out = [];
    for (const part of spec.split(",")) {
      const m = part.trim().match(/^(\d+)(?:-(\d+))?$/);
      if (!m) continue;
      const a = +m[1], b = m[2] ? +m[2] : a;
      for (let c = Math.min(a, b); c <= Math.max(a, b) && c <= count; c++) if (c >= 1) out.push(c);
    }
    return out;
  }

  function fraction(db) {
    if (db === null || db === undefined || !isFinite(db)) return 0;
    return Math.max(0, Math.min(1, (db - FLOOR_DB) / -FLOOR_DB));
  }

  // The GUI's bar colour by level: red at full scale, amber above the preset's hot level.
  function levelColor(db, hot) {
    if (db === null) return COLOR.good;
    if (db >= 0) return COLOR.clip;
    if (db > hot) return COLOR.hot;
    return COLOR.good;
  }

  function fmt(db) {
    return db === null || db === undefined ? "–" : db.toFixed(1);
  }

  function reading(row) {
    return {
      sample: row[0], tp: row[1], hold: row[2], fall: row[3], maxTp: row[4], shortTerm: row[5],
      clipped: row[6], overs: row[7], zone: ZONES[row[8]] || "good", word: WORDS[row[9]] || "GOOD",
    };
  }

  // One server: connects, reconnects with back-off, says when it is down.
  class Feed {
    constructor(host, on) {
      this.host = host; this.on = on; this.ws = null; this.up = false;
      this.last = 0; this.delay = 500; this.hello = null; this.channels = [];
      this.warnings = [];
      this.connect();
      setInterval(() => this.watch(), 100);
    }
    url() {
      const proto = location.protocol === "https:" ? "wss" : "ws";
      const q = new URLSearchParams({ format: "compact" });
      if (params.get("key")) q.set("key", params.get("key"));
      if (params.get("token") && this.host === location.host) q.set("token", params.get("token"));
      return `${proto}://${this.host}/ws?${q}`;
    }
    connect() {
      let ws;
      try { ws = new WebSocket(this.url()); } catch (e) { this.retry(); return; }
      this.ws = ws;
      ws.onmessage = (m) => this.message(m.data);
      ws.onclose = () => { if (this.ws === ws) { this.down(); this.retry(); } };
      ws.onerror = () => ws.close();
    }
    retry() {
      this.ws = null;
      const wait = this.delay;
      this.delay = Math.min(this.delay * 2, 8000);
      this.on.status && this.on.status(this, `disconnected: retrying in ${(wait / 1000).toFixed(1)} s`);
      setTimeout(() => this.connect(), wait);
    }
    watch() {
      if (this.up && performance.now() - this.last > STALE_MS) {
        // A half-open link: no close comes, only silence. Drop it and reconnect.
        this.down();
        if (this.ws) { const ws = this.ws; this.ws = null; ws.close(); this.retry(); }
      }
    }
    down() {
      if (!this.up && this.last !== 0) return;
      this.up = false; this.last = -1;
      this.on.down && this.on.down(this);
    }
    message(text) {
      let m;
      try { m = JSON.parse(text); } catch (e) { return; }
      this.last = performance.now();
      if (m.hello) {
        this.hello = m.hello; this.delay = 500;
        this.on.hello && this.on.hello(this, m.hello);
      } else if (m.k) {
        this.channels = m.c.map(reading);
        this.state = m.k[2];
        this.t = m.k[1];
        const k = m.k[5];
        this.take = k ? { number: k[0], start: k[1], auto: k[2] === 1, name: k[3] } : null;
        if (!this.up) { this.up = true; this.on.up && this.on.up(this); }
        this.on.frame && this.on.frame(this);
      } else if (m.warnings) {
        this.warnings = m.warnings;
        this.on.warnings && this.on.warnings(this);
      } else if (m.event) {
        this.on.event && this.on.event(this, m);
      } else if ("reply" in m) {
        this.on.reply && this.on.reply(this, m);
      }
    }
    send(obj) { if (this.ws && this.ws.readyState === 1) this.ws.send(JSON.stringify(obj)); }
  }

  // A vertical or horizontal bar on a canvas, redrawn only when its numbers change.
  class Bar {
    constructor(canvas, vertical) { this.c = canvas; this.v = vertical; this.key = ""; }
    // `fill`: one colour for the whole bar (the performer's verdict); else by level.
    draw(r, hot, target, live, fill) {
      const c = this.c, w = c.clientWidth, h = c.clientHeight;
      if (!w || !h) return;
      const dpr = window.devicePixelRatio || 1;
      const key = [w, h, live, r && r.fall, r && r.hold, r && r.zone, hot, fill].join("|");
      if (key === this.key) return;
      this.key = key;
      if (c.width !== Math.round(w * dpr) || c.height !== Math.round(h * dpr)) {
        c.width = Math.round(w * dpr); c.height = Math.round(h * dpr);
      }
      const g = c.getContext("2d");
      g.setTransform(dpr, 0, 0, dpr, 0, 0);
      g.fillStyle = COLOR.track; g.fillRect(0, 0, w, h);
      const len = this.v ? h : w;
      const at = (f) => f * len;
      // The preset's target zone, then the scale every 6 dB.
      if (target !== undefined) {
        const a = at(fraction(target - 3)), b = at(fraction(Math.min(hot, 0)));
        g.fillStyle = COLOR.zone;
        if (this.v) g.fillRect(0, h - b, w, b - a); else g.fillRect(a, 0, b - a, h);
      }
      g.fillStyle = "rgba(140,143,153,0.35)";
      for (let db = 0; db >= FLOOR_DB; db -= 6) {
        const p = at(fraction(db));
        if (this.v) g.fillRect(0, Math.round(h - p), w, 1); else g.fillRect(Math.round(p), 0, 1, h);
      }
      if (!r) return;
      const f = at(fraction(r.fall));
      g.fillStyle = live ? (fill || levelColor(r.fall, hot)) : COLOR.grey;
      if (this.v) g.fillRect(0, h - f, w, f); else g.fillRect(0, 0, f, h);
      if (r.hold !== null) {
        const p = at(fraction(r.hold));
        g.fillStyle = live ? COLOR.text : COLOR.grey;
        if (this.v) g.fillRect(0, Math.round(h - p) - 2, w, 4); else g.fillRect(Math.round(p) - 2, 0, 4, h);
      }
    }
  }

  // "TAKE 3 · Verse · 0:42" while a take runs on `feed`'s server, "" otherwise or when its
  // link is down (a stale take must not look live).
  function takeText(feed) {
    const t = feed.up && feed.take;
    if (!t) return "";
    const s = Math.max(0, Math.floor(feed.t - t.start));
    const clock = `${Math.floor(s / 60)}:${String(s % 60).padStart(2, "0")}`;
    const named = t.name && t.name !== `Take ${t.number}` ? ` · ${t.name}` : "";
    return `${t.auto ? "AUTO TAKE" : "TAKE"} ${t.number}${named} · ${clock}`;
  }

  function el(tag, cls, text) {
    const e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined) e.textContent = text;
    return e;
  }

  // The hosts a page shows: `?src=a:8040,b:8040`, else this server.
  function hosts() {
    const src = params.get("src");
    if (!src) return [location.host];
    return src.split(",").map((s) => s.trim()).filter((s) => /^[A-Za-z0-9.\-:\[\]]+$/.test(s));
  }

  function loop(draw) {
    const step = () => { draw(); requestAnimationFrame(step); };
    requestAnimationFrame(step);
  }

  return { COLOR, WORD_COLOR, Feed, Bar, el, hosts, loop, fmt, channelsFrom, params, takeText };
})();
