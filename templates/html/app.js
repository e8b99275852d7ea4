/*
 * app.js -- keeps the sitewatch pages current without a reload.
 *
 * The dashboard polls /api/v1/checks and /api/v1/tickets and rebuilds its
 * tables with DOM calls (textContent only: no markup from the data ever
 * reaches innerHTML).  The other pages reload themselves every minute.
 */
"use strict";

(function () {
	var POLL_MS = 10000;
	var RANK = { down: 0, degraded: 1, unknown: 2, up: 3 };

	function el(tag, cls, text) {
		var e = document.createElement(tag);
		if (cls) e.className = cls;
		if (text !== undefined && text !== null) e.textContent = String(text);
		return e;
	}

	function duration(s) {
		s = Math.max(0, Math.floor(s));
		if (s < 60) return s + " s";
		if (s < 3600) return Math.floor(s / 60) + " min";
		if (s < 86400) return Math.floor(s / 3600) + " h " +
		    Math.floor(s % 3600 / 60) + " min";
		return Math.floor(s / 86400) + " d " + Math.floor(s % 86400 / 3600) + " h";
	}

	function age(iso) {
		var t = Date.parse(iso);
		return isNaN(t) ? "" : duration((Date.now() - t) / 1000);
	}

	function pct(v) {
		if (v === null || v === undefined) {
			var s = el("span", "na", "n/a");
			s.title = "not available";
			return s;
		}
		return document.createTextNode(v.toFixed(2) + " %");
	}

	function rank(c) {
		var r = RANK[c.state];
		return r === undefined ? 2 : r;
	}

	function renderChecks(checks) {
		var body = document.getElementById("checks-body");
		var siteRank = {}, counts = { down: 0, degraded: 0, up: 0, unknown: 0 };
		checks.forEach(function (c) {
			var s = c.site || "";
			siteRank[s] = Math.min(siteRank[s] === undefined ? 3 : siteRank[s], rank(c));
			counts[c.state in counts ? c.state : "unknown"]++;
		});
		checks.sort(function (a, b) {
			var sa = a.site || "", sb = b.site || "";
			return (siteRank[sa] - siteRank[sb]) || (sa < sb ? -1 : sa > sb ? 1 : 0) ||
			    (rank(a) - rank(b)) || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);
		});
		var frag = document.createDocumentFragment(), last = null;
		var beats = oldBeats(body);
		checks.forEach(function (c) {
			var site = c.site || "(no site)";
			if (site !== last) {
				var sr = el("tr", "site"), th = el("th", null, site);
				th.colSpan = 9;
				sr.appendChild(th);
				frag.appendChild(sr);
				last = site;
			}
			var tr = el("tr", "check st-" + c.state);
			tr.setAttribute("data-check", c.name);
			tr.setAttribute("data-js", "1");
			var a = el("a", null, c.name);
			a.href = "/check/" + encodeURIComponent(c.name);
			var td = el("td");
			td.appendChild(a);
			tr.appendChild(td);
			td = el("td");
			td.appendChild(el("span", "badge st-" + c.state, c.state));
			/* k of n: failing from fewer locations than confirm. */
			if (c.partial_outage) {
				td.appendChild(document.createTextNode(" "));
				td.appendChild(el("span", "badge partial", c.partial_outage));
			}
			if (c.state !== "up" && c.cause) {
				td.appendChild(document.createTextNode(" "));
				td.appendChild(el("span", "msg", c.cause + ": " + (c.message || "")));
			}
			tr.appendChild(td);
			td = el("td");
			if (c.since) {
				var sp = el("span", "age", age(c.since));
				sp.title = c.since;
				td.appendChild(sp);
			}
			tr.appendChild(td);
			tr.appendChild(el("td", null, c.last_total_ms === null ? "" :
			    (c.last_total_ms < 10 ? c.last_total_ms.toFixed(1) :
			    Math.round(c.last_total_ms)) + " ms"));
			td = el("td");
			td.appendChild(pct(c.uptime_24h));
			tr.appendChild(td);
			td = el("td");
			td.appendChild(pct(c.uptime_30d));
			tr.appendChild(td);
			tr.appendChild(el("td", null, c.ticket ? "#" + c.ticket : ""));
			tr.appendChild(el("td", "cert", c.cert_days_left === null ||
			    c.cert_days_left === undefined ? "" : c.cert_days_left + " d"));
			/* The heartbeat bar is the server's: kept from the old row. */
			td = beats[c.name] || el("td", "beats");
			tr.appendChild(td);
			tr.setAttribute("data-site", site);
			tr.setAttribute("data-state", c.state);
			tr.setAttribute("data-text", (c.name + " " + site + " " +
			    (c.cause || "") + " " + (c.message || "")).toLowerCase());
			frag.appendChild(tr);
		});
		body.textContent = "";
		body.appendChild(frag);
		document.getElementById("checks").setAttribute("data-rendered", "js");
		siteOptions(checks);
		drawBeats(body);
		filter();
		var sum = document.getElementById("summary");
		if (sum) {
			sum.textContent = checks.length + " checks: ";
			[["down", "st-down"], ["degraded", "st-degraded"], ["up", "st-up"],
			    ["unknown", "st-unknown"]].forEach(function (p, i) {
				if (i) sum.appendChild(document.createTextNode(", "));
				sum.appendChild(el("span", p[1], counts[p[0]] + " " + p[0]));
			});
		}
	}

	/*
	 * Draw each heartbeat bar from its compact data-hb (see
	 * render_beats in web_render.c): one mark per result, its tooltip
	 * the time in UTC, state, cause and total.
	 */
	var CAUSES = ["ok", "dns", "connect", "tls", "timeout", "http",
	    "content", "slow", "cert", "unknown"];
	var STATES = { u: "up", g: "degraded", d: "down", k: "unknown" };

	function drawBeats(root) {
		var spans = root.querySelectorAll("span.hb[data-hb]"), i;
		for (i = 0; i < spans.length; i++) {
			var sp = spans[i], toks = sp.getAttribute("data-hb").split(" ");
			var t = 0, frag = document.createDocumentFragment(), k, m, st, b;
			sp.removeAttribute("data-hb");
			toks = toks[0] === "" ? [] : toks;
			for (k = toks.length; k < 50; k++)
				frag.appendChild(el("i", "b none"));
			for (k = 0; k < toks.length; k++) {
				m = /^(\d+)([ugdk])(\d)(\d+)$/.exec(toks[k]);
				if (!m) continue;
				t = k === 0 ? Number(m[1]) : t + Number(m[1]);
				st = STATES[m[2]];
				b = el("i", "b st-" + st);
				b.title = new Date(t * 1000).toISOString().slice(0, 19)
				    .replace("T", " ") + " UTC: " + st + ", " +
				    CAUSES[Number(m[3])] + ", " + m[4] + " ms";
				frag.appendChild(b);
			}
			sp.textContent = "";
			sp.appendChild(frag);
			sp.setAttribute("data-drawn", String(toks.length));
		}
	}

	/* The heartbeat cells of the rows on the page, by check. */
	function oldBeats(root) {
		var m = {}, rows = root.querySelectorAll("tr[data-check]"), i, td;
		for (i = 0; i < rows.length; i++) {
			td = rows[i].querySelector("td.beats");
			if (td) m[rows[i].getAttribute("data-check")] = td;
		}
		return m;
	}

	/* Fresh bars: the server renders them; take its cells over. */
	function refreshBeats() {
		fetch(location.pathname + location.search, { cache: "no-store", credentials: "same-origin" })
		    .then(function (r) { return r.ok ? r.text() : ""; })
		    .then(function (html) {
			var doc = new DOMParser().parseFromString(html, "text/html");
			var fresh = oldBeats(doc), rows, i, td, name;
			rows = document.querySelectorAll("#checks-body tr[data-check]");
			for (i = 0; i < rows.length; i++) {
				name = rows[i].getAttribute("data-check");
				td = rows[i].querySelector("td.beats");
				if (td && fresh[name])
					rows[i].replaceChild(document.importNode(fresh[name], true), td);
			}
			drawBeats(document);
		}).catch(function () {});
	}

	function siteOptions(checks) {
		var sel = document.getElementById("f-site"), seen = {}, cur;
		if (!sel) return;
		cur = sel.value;
		while (sel.options.length > 1) sel.remove(1);
		checks.forEach(function (c) {
			var s = c.site || "(no site)";
			if (seen[s]) return;
			seen[s] = 1;
			var o = el("option", null, s);
			o.value = s;
			sel.appendChild(o);
		});
		sel.value = cur;
	}

	/* Show the rows that match the search, state and site chosen. */
	function filter() {
		var q = (document.getElementById("f-q") || {}).value || "";
		var st = (document.getElementById("f-state") || {}).value || "";
		var site = (document.getElementById("f-site") || {}).value || "";
		var rows = document.querySelectorAll("#checks-body tr"), i, r, show;
		var head = null, any = false;
		q = q.toLowerCase();
		for (i = 0; i < rows.length; i++) {
			r = rows[i];
			if (r.className === "site") {
				if (head) head.hidden = !any;
				head = r;
				any = false;
				continue;
			}
			show = (!q || (r.getAttribute("data-text") || "").indexOf(q) >= 0) &&
			    (!st || r.getAttribute("data-state") === st) &&
			    (!site || r.getAttribute("data-site") === site);
			r.hidden = !show;
			if (show) any = true;
		}
		if (head) head.hidden = !any;
	}

	/*
	 * A ticket's action forms, as the server writes them (web_forms.c):
	 * plain forms with the session's CSRF token, posted by the browser.
	 */
	function actionForm(t, action, label, text, csrf) {
		var f = el("form", "act act-" + action), i, b;
		f.method = "post";
		f.action = "/ticket/" + encodeURIComponent(t.id) + "/" + action;
		[["csrf", csrf], ["back", "/"]].forEach(function (kv) {
			i = el("input");
			i.type = "hidden";
			i.name = kv[0];
			i.value = kv[1];
			f.appendChild(i);
		});
		if (text) {
			i = el("input");
			i.name = "text";
			i.maxLength = 4096;
			i.placeholder = action === "note" ? "note" :
			    action === "update" ? "public update (the client reads it)" :
			    "note (optional)";
			i.setAttribute("aria-label", action === "note" ? "Note" :
			    action === "update" ? "Public update" : "Resolution note");
			if (action !== "resolve") i.required = true;
			f.appendChild(i);
		}
		b = el("button", null, label);
		b.type = "submit";
		b.name = "do";
		b.value = action;
		f.appendChild(b);
		return f;
	}

	function actionCell(t, csrf) {
		var td = el("td", "acts"), d = el("div", "actions");
		d.setAttribute("data-ticket", t.id);
		if (t.status === "open")
			d.appendChild(actionForm(t, "ack", "Acknowledge", false, csrf));
		d.appendChild(actionForm(t, "note", "Add note", true, csrf));
		if (t.status !== "resolved") {
			d.appendChild(actionForm(t, "update", "Post update", true, csrf));
			d.appendChild(actionForm(t, "resolve", "Resolve", true, csrf));
		}
		td.appendChild(d);
		return td;
	}

	function renderTickets(tickets) {
		var body = document.getElementById("tickets-body");
		var frag = document.createDocumentFragment();
		var csrf = document.getElementById("tickets").getAttribute("data-csrf");
		/* Someone typing a note: leave the rows alone until next time. */
		var active = document.activeElement;
		if (active && active.name === "text" && body.contains(active) &&
		    active.value !== "")
			return;
		tickets.forEach(function (t) {
			var tr = el("tr", "ticket sev-" + (t.severity === "critical" ?
			    "critical" : "warning"));
			tr.setAttribute("data-js", "1");
			tr.appendChild(el("td", null, "#" + t.id));
			var td = el("td"), a = el("a", null, t.check);
			a.href = "/check/" + encodeURIComponent(t.check || "");
			td.appendChild(a);
			tr.appendChild(td);
			tr.appendChild(el("td", null, t.site));
			tr.appendChild(el("td", null, t.severity));
			tr.appendChild(el("td", null, t.status +
			    (t.acknowledged_by ? " by " + t.acknowledged_by : "")));
			tr.appendChild(el("td", null, t.summary));
			tr.appendChild(el("td", "age", age(t.opened_at)));
			if (csrf) tr.appendChild(actionCell(t, csrf));
			frag.appendChild(tr);
		});
		body.textContent = "";
		body.appendChild(frag);
		document.getElementById("tickets").setAttribute("data-rendered", "js");
		document.getElementById("tickets").hidden = tickets.length === 0;
		document.getElementById("no-tickets").hidden = tickets.length !== 0;
	}

	/*
	 * The tickets nobody has taken yet, oldest first, as the server
	 * writes them (web_render_history.c): kept current with the rest.
	 */
	function renderUnacked(tickets) {
		var sec = document.getElementById("unacked"), open, ol;
		if (!sec) return;
		open = tickets.filter(function (t) { return t.status === "open"; });
		open.sort(function (a, b) {
			if (a.opened_at !== b.opened_at)
				return a.opened_at < b.opened_at ? -1 : 1;
			return a.id - b.id;
		});
		sec.textContent = "";
		sec.appendChild(el("h2", null, "Not acknowledged (" + open.length + ")"));
		if (open.length === 0) {
			sec.appendChild(el("p", "none", "Every open ticket has been taken."));
		} else {
			ol = el("ol", "unacked-list");
			open.forEach(function (t) {
				var li = el("li", "sev-" + (t.severity === "critical" ?
				    "critical" : "warning"));
				var a = el("a", null, t.check), sp;
				li.setAttribute("data-ticket", String(t.id));
				li.appendChild(document.createTextNode("#" + t.id + " "));
				a.href = "/check/" + encodeURIComponent(t.check || "");
				li.appendChild(a);
				li.appendChild(document.createTextNode(" waiting for "));
				sp = el("span", "age", age(t.opened_at));
				sp.setAttribute("data-since", t.opened_at || "");
				li.appendChild(sp);
				ol.appendChild(li);
			});
			sec.appendChild(ol);
		}
		sec.setAttribute("data-rendered", "js");
	}

	function stamp(text, bad) {
		var u = document.getElementById("updated");
		if (!u) return;
		u.textContent = text;
		u.className = bad ? "updated stale" : "updated";
	}

	function getJSON(url) {
		return fetch(url, { cache: "no-store", credentials: "same-origin" })
		    .then(function (r) {
			if (!r.ok) throw new Error(url + ": HTTP " + r.status);
			return r.json();
		    });
	}

	function poll() {
		/* A page of a long list is the server's: refresh the tickets only. */
		var paged = document.getElementById("checks") &&
		    document.getElementById("checks").getAttribute("data-paged") === "1";
		(paged ? Promise.resolve(null) : getJSON("/api/v1/checks")).then(function (checks) {
			if (checks) renderChecks(checks);
			stamp("updated " + new Date().toISOString().slice(0, 19)
			    .replace("T", " ") + " UTC", false);
			return getJSON("/api/v1/tickets?status=open");
		}).then(function (tickets) {
			renderTickets(tickets);
			renderUnacked(tickets);
		}).catch(function (e) {
			stamp("update failed (" + e.message + "), retrying", true);
		}).then(function () {
			setTimeout(poll, POLL_MS);
		});
	}

	/*
	 * The check page's live charts (Debian's dygraphs, /static/): the
	 * phases stacked, the total with its min-max band, availability.
	 * Each chart's element says what it drew (data-rows, and data-ink:
	 * the painted pixels of its plot), which the browser tests read.
	 */
	var charts = {};

	function ink(div) {
		var cs = div.querySelectorAll("canvas"), most = 0, n, d, i, k;
		for (k = 0; k < cs.length; k++) {
			d = cs[k].getContext("2d").getImageData(0, 0,
			    cs[k].width, cs[k].height).data;
			for (n = 0, i = 3; i < d.length; i += 4)
				if (d[i] > 0) n++;
			most = Math.max(most, n);
		}
		return most;
	}

	function drawn(id, rows) {
		return function (g) {
			var div = document.getElementById(id);
			div.setAttribute("data-rows", String(rows));
			div.setAttribute("data-ink", String(ink(div)));
		};
	}

	/*
	 * A legend of our own under the chart: dygraphs' writes style
	 * attributes in markup, which the pages' CSP refuses; colours set
	 * through the DOM are allowed.
	 */
	function legend(id, g, labels) {
		var div = document.getElementById(id), lg, colors = g.getColors(), i, s;
		lg = document.getElementById(id + "-legend");
		if (!lg) {
			lg = el("p", "legend");
			lg.id = id + "-legend";
			div.parentNode.insertBefore(lg, div.nextSibling);
		}
		lg.textContent = "";
		for (i = 1; i < labels.length; i++) {
			s = el("span", "swatch");
			s.style.backgroundColor = colors[i - 1];
			lg.appendChild(s);
			lg.appendChild(document.createTextNode(labels[i] + " "));
		}
	}

	function chart(id, data, opts) {
		var div = document.getElementById(id);
		opts.drawCallback = drawn(id, data.length);
		opts.labelsUTC = true;
		opts.legend = "never";
		if (charts[id]) {
			opts.file = data;
			charts[id].updateOptions(opts);
		} else
			charts[id] = new Dygraph(div, data, opts);
		legend(id, charts[id], opts.labels);
	}

	function loadSeries(period) {
		var ph = document.getElementById("chart-phases");
		var name = ph.getAttribute("data-check");
		var note = document.getElementById("chart-note");
		getJSON("/api/v1/checks/" + encodeURIComponent(name) +
		    "/series?period=" + period).then(function (s) {
			var phases = [], total = [], up = [];
			s.rows.forEach(function (r) {
				var t = new Date(r[0] * 1000);
				phases.push([t, r[1], r[2], r[3], r[4], r[5]]);
				total.push([t, r[6] === null ? null : [r[7], r[6], r[8]]]);
				up.push([t, r[9]]);
			});
			if (s.rows.length === 0) {
				note.textContent = "No results recorded in this period yet.";
				return;
			}
			note.textContent = (s.uptime_pct === null ? "" :
			    "Available " + s.uptime_pct.toFixed(2) + " % of the " +
			    period + "; ") + s.rows.length + " points, one per " +
			    duration(s.step) + " (UTC).";
			chart("chart-phases", phases, {
				labels: ["time (UTC)", "dns", "connect", "tls",
				    "first byte", "transfer"],
				stackedGraph: true, fillGraph: true, ylabel: "ms",
				title: "Phases (stacked)", height: 240
			});
			chart("chart-total", total, {
				labels: ["time (UTC)", "total"], customBars: true,
				ylabel: "ms", title: "Total, with min–max band",
				height: 200
			});
			chart("chart-up", up, {
				labels: ["time (UTC)", "available %"],
				valueRange: [0, 105], fillGraph: true,
				title: "Availability", height: 140
			});
		}).catch(function (e) {
			note.textContent = "The charts could not be loaded (" +
			    e.message + ").";
		});
	}

	function initCharts() {
		if (!document.getElementById("chart-phases")) return false;
		if (typeof Dygraph === "undefined") {
			document.getElementById("chart-note").textContent =
			    "The chart library is missing (libjs-dygraphs); " +
			    "the server-drawn graphs are below.";
			return true;
		}
		var period = "day";
		document.getElementById("periods").addEventListener("click",
		    function (ev) {
			var b = ev.target.closest("button"), all, i;
			if (!b) return;
			all = this.querySelectorAll("button");
			for (i = 0; i < all.length; i++) all[i].className = "";
			b.className = "on";
			period = b.getAttribute("data-period");
			loadSeries(period);
		});
		loadSeries(period);
		/* Fresh data every half minute; a zoom is kept. */
		setInterval(function () { loadSeries(period); }, 30000);
		return true;
	}

	document.addEventListener("DOMContentLoaded", function () {
		if (document.body.classList.contains("dashboard")) {
			/* ?q=&state=&site= set the filters: a view can be bookmarked. */
			var qs = new URLSearchParams(location.search);
			[["f-q", "q"], ["f-state", "state"], ["f-site", "site"]].forEach(function (p) {
				var e = document.getElementById(p[0]);
				if (!e) return;
				if (qs.get(p[1])) {
					if (e.tagName === "SELECT" && p[1] === "site") {
						var o = el("option", null, qs.get(p[1]));
						o.value = qs.get(p[1]);
						e.appendChild(o);
					}
					e.value = qs.get(p[1]);
				}
				e.addEventListener("input", filter);
			});
			poll();
			setInterval(refreshBeats, 30000);
		}
		else if (document.body.classList.contains("check") && initCharts())
			;	/* the charts refresh themselves */
		else if (document.body.classList.contains("public") ||
		    document.body.classList.contains("check"))
			setTimeout(function () { location.reload(); }, 60000);
	});
})();
