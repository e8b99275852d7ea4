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
		checks.forEach(function (c) {
			var site = c.site || "(no site)";
			if (site !== last) {
				var sr = el("tr", "site"), th = el("th", null, site);
				th.colSpan = 8;
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
			td = el("td");
			var img = el("img", "spark");
			img.loading = "lazy";
			img.width = 160;
			img.height = 32;
			img.alt = c.name + " time day";
			img.src = "/graph/" + encodeURIComponent(c.name) +
			    ".png?period=day&metric=time&width=160&height=32&style=spark&r=" +
			    Math.floor(Date.now() / 60000);
			td.appendChild(img);
			tr.appendChild(td);
			frag.appendChild(tr);
		});
		body.textContent = "";
		body.appendChild(frag);
		document.getElementById("checks").setAttribute("data-rendered", "js");
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

	function renderTickets(tickets) {
		var body = document.getElementById("tickets-body");
		var frag = document.createDocumentFragment();
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
			frag.appendChild(tr);
		});
		body.textContent = "";
		body.appendChild(frag);
		document.getElementById("tickets").setAttribute("data-rendered", "js");
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
			stamp("updated " + new Date().toLocaleTimeString(), false);
			return getJSON("/api/v1/tickets?status=open");
		}).then(renderTickets).catch(function (e) {
			stamp("update failed (" + e.message + "), retrying", true);
		}).then(function () {
			setTimeout(poll, POLL_MS);
		});
	}

	document.addEventListener("DOMContentLoaded", function () {
		if (document.body.classList.contains("dashboard"))
			poll();
		else if (document.body.classList.contains("public") ||
		    document.body.classList.contains("check"))
			setTimeout(function () { location.reload(); }, 60000);
	});
})();
