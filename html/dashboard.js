/*
 * Job Service Dashboard: optional behaviour on top of pages that work
 * without it.
 *
 * Refresh: every data-poll seconds (and when Refresh is pressed) the page is
 * fetched again and its main region merged into the shown one, node by
 * node: what the user holds (focus, ticked boxes, a chosen option, typed
 * text, the last action's message) stays, only the data changes.  After a
 * failed fetch the old data stays with a warning that it may be out of date,
 * and the next tries go on at the same pace.  #refresh carries
 * data-refreshes and data-failures, counting both, for the tests.
 *
 * Actions: confirmation in a dialog instead of a separate page: the
 * confirmation page is fetched, its question shown with confirm(), and its
 * form submitted when accepted.
 *
 * Tokens: a confirmation form's anti-CSRF token is accepted for one to two
 * of jobsvc-fcgi's csrf_window after it was made.  The form says how often
 * to renew it (data-renew, half a window, in seconds): a form shown on the
 * page gets a fresh token that often, and a form whose token is older than
 * that (a dialog or a page left open, a sleeping tab) gets one before it
 * is submitted, from the confirmation page fetched again (a GET, which
 * changes nothing; its answer renews the cookie too).
 *
 * Select all: a box in the header of each table whose rows have boxes
 * ticks or clears all of them; it shows ticked, clear or mixed as they are.
 * Nodes added here carry data-js and are kept across refreshes.
 */
(function () {
	'use strict';

	/* Longer than jobsvc-fcgi's 5 s wait on the daemon. */
	var FETCH_TIMEOUT_MS = 8000;
	/* Kept across refreshes: the result of the last action. */
	var KEEP = 'message';
	/* Attributes whose live state belongs to the user once shown. */
	var LIVE_ATTRS = { checked: true, selected: true, value: true };

	var parser = new DOMParser();
	var timer = null;
	var inflight = false;
	var due = false;
	var lastOk = null;
	var refreshes = 0;
	var failures = 0;

	function fetchPage(url, timeoutMs) {
		var ctl = timeoutMs && window.AbortController ? new AbortController() : null;
		var t = ctl ? window.setTimeout(function () { ctl.abort(); }, timeoutMs) : null;

		return fetch(url, {
			credentials: 'same-origin',
			cache: 'no-store',
			signal: ctl ? ctl.signal : undefined
		}).then(function (r) {
			return r.text().then(function (text) {
				window.clearTimeout(t);
				return { ok: r.ok, doc: parser.parseFromString(text, 'text/html') };
			});
		}, function (err) {
			window.clearTimeout(t);
			throw err;
		});
	}

	/* --------------------------------------------------------- merging */

	function firstCellText(tr) {
		var i, text;

		for (i = 0; i < tr.cells.length; i++) {
			text = tr.cells[i].textContent.trim();
			if (text)
				return text;
		}
		return '';
	}

	/*
	 * What a node is, among its siblings: two nodes with the same key are
	 * the same thing shown twice, and the old one is updated in place.  A
	 * table row is its first non-empty cell (a job type, a worker ID), a
	 * control its type, name and value, so a ticked box never ends up
	 * meaning another row.
	 */
	function key(n) {
		var k;

		if (n.nodeType !== Node.ELEMENT_NODE)
			return '#' + n.nodeType;
		k = n.nodeName + '#' + n.id;
		switch (n.nodeName) {
		case 'TR':
			return k + '|' + firstCellText(n);
		case 'TD':
		case 'TH':
			return k;
		case 'INPUT':
		case 'SELECT':
		case 'TEXTAREA':
		case 'BUTTON':
		case 'OPTION':
			k += '|' + n.getAttribute('type') + '|' + n.getAttribute('name') +
				'|' + n.getAttribute('value') + '|' + n.getAttribute('formaction');
			break;
		case 'FORM':
			k += '|' + n.getAttribute('action');
			break;
		}
		return k + '|' + n.getAttribute('class') + '|' + n.getAttribute('aria-label');
	}

	function kept(n) {
		return n.nodeType === Node.ELEMENT_NODE &&
			(n.classList.contains(KEEP) || n.hasAttribute('data-js'));
	}

	function mergeAttrs(old, fresh) {
		var i, a;

		for (i = old.attributes.length - 1; i >= 0; i--) {
			a = old.attributes[i];
			if (!LIVE_ATTRS[a.name] && !fresh.hasAttribute(a.name))
				old.removeAttribute(a.name);
		}
		for (i = 0; i < fresh.attributes.length; i++) {
			a = fresh.attributes[i];
			if (!LIVE_ATTRS[a.name] && old.getAttribute(a.name) !== a.value)
				old.setAttribute(a.name, a.value);
		}
	}

	function removeUpTo(parent, n, stop) {
		var next;

		while (n && n !== stop) {
			next = n.nextSibling;
			if (!kept(n))
				parent.removeChild(n);
			n = next;
		}
	}

	/*
	 * Makes OLD show what FRESH shows.  Old nodes are updated, removed or
	 * have new ones inserted among them, never moved: a moved node would
	 * lose the focus.
	 */
	function merge(old, fresh) {
		var o, f, m, k;

		if (old.nodeType !== Node.ELEMENT_NODE) {
			if (old.nodeValue !== fresh.nodeValue)
				old.nodeValue = fresh.nodeValue;
			return;
		}
		mergeAttrs(old, fresh);
		if (old.nodeName === 'TEXTAREA')
			return;
		o = old.firstChild;
		for (f = fresh.firstChild; f; f = f.nextSibling) {
			k = key(f);
			for (m = o; m && (kept(m) || key(m) !== k); m = m.nextSibling)
				;
			if (m) {
				removeUpTo(old, o, m);
				merge(m, f);
				o = m.nextSibling;
			} else {
				old.insertBefore(document.importNode(f, true), o);
			}
		}
		removeUpTo(old, o, null);
	}

	/* ---------------------------------------------------------- refresh */

	function pad(n) {
		return (n < 10 ? '0' : '') + n;
	}

	function clock(d) {
		return pad(d.getHours()) + ':' + pad(d.getMinutes()) + ':' + pad(d.getSeconds());
	}

	function show() {
		var bar = document.getElementById('refresh');
		var updated = document.getElementById('updated');
		var stale = document.getElementById('stale');
		var text = '';

		if (!bar)
			return;
		bar.setAttribute('data-refreshes', refreshes);
		bar.setAttribute('data-failures', failures);
		if (lastOk) {
			updated.textContent = 'Last updated ' + clock(lastOk);
			updated.hidden = failures > 0;
		} else {
			updated.hidden = true;
		}
		if (failures > 0)
			text = lastOk ? 'Data may be out of date: last updated ' + clock(lastOk) +
				'; retrying' : 'Data not loaded; retrying';
		if (stale.textContent !== text)
			stale.textContent = text;
	}

	function pollSeconds() {
		var main = document.getElementById('main');
		var secs = main ? parseInt(main.getAttribute('data-poll'), 10) : 0;

		return secs > 0 ? secs : 0;
	}

	function schedule() {
		var secs = pollSeconds();

		window.clearTimeout(timer);
		timer = secs ? window.setTimeout(refresh, secs * 1000) : null;
	}

	function apply(fresh) {
		var main = document.getElementById('main');
		var focusWasIn = main.contains(document.activeElement);

		merge(main, fresh);
		/* The focused row went away: stay in the region, not the body. */
		if (focusWasIn && !main.contains(document.activeElement))
			main.focus();
		addSelectAll();
	}

	function refresh() {
		if (inflight)
			return;
		window.clearTimeout(timer);
		if (document.hidden) {
			due = true;
			return;
		}
		inflight = true;
		fetchPage(window.location.href, FETCH_TIMEOUT_MS).then(function (page) {
			var fresh = page.doc.getElementById('main');

			if (!page.ok || !fresh)
				throw new Error('refresh failed');
			apply(fresh);
			lastOk = new Date();
			failures = 0;
			refreshes++;
		}).catch(function () {
			failures++;
		}).then(function () {
			inflight = false;
			show();
			schedule();
		});
	}

	function startRefresh() {
		var bar = document.getElementById('refresh');
		var button = document.getElementById('refresh-now');

		if (!bar || !pollSeconds())
			return;
		/* A page that came with an error holds no data yet. */
		if (document.querySelector('#main .error-box'))
			failures = 1;
		else
			lastOk = new Date();
		bar.hidden = false;
		button.addEventListener('click', refresh);
		document.addEventListener('visibilitychange', function () {
			if (!document.hidden && due) {
				due = false;
				refresh();
			}
		});
		show();
		schedule();
	}

	/* ----------------------------------------------------------- tokens */

	function renewMs(form) {
		var secs = parseInt(form.getAttribute('data-renew'), 10);

		return secs > 0 ? secs * 1000 : 0;
	}

	function tokenStale(form) {
		var ms = renewMs(form);

		return ms > 0 && Date.now() - (+form.getAttribute('data-made') || 0) >= ms;
	}

	function renewToken(form) {
		var params = new URLSearchParams(new FormData(form));

		params.delete('csrf');
		return fetchPage(form.getAttribute('action') + '?' + params.toString(),
			FETCH_TIMEOUT_MS).then(function (page) {
			var fresh = page.doc.querySelector('form.confirm-form input[name=csrf]');

			if (!page.ok || !fresh)
				throw new Error('no fresh token');
			form.elements.csrf.value = fresh.value;
			form.setAttribute('data-made', Date.now());
		});
	}

	/*
	 * Submits a confirmation form, with a fresh token when its own is
	 * stale; when none can be had the old one goes, and a refused one
	 * brings the confirmation page back with a fresh one.
	 */
	function submitFresh(form) {
		if (!tokenStale(form)) {
			form.submit();
			return;
		}
		renewToken(form).then(null, function () {}).then(function () {
			form.submit();
		});
	}

	function renewShown() {
		[].forEach.call(document.querySelectorAll('form.confirm-form[data-renew]'),
			function (form) {
				if (tokenStale(form))
					renewToken(form).catch(function () {});
			});
	}

	function startTokens() {
		var forms = document.querySelectorAll('form.confirm-form[data-renew]');
		var ms = 0;

		[].forEach.call(forms, function (form) {
			form.setAttribute('data-made', Date.now());
			if (!ms || renewMs(form) < ms)
				ms = renewMs(form);
		});
		if (!ms)
			return;
		window.setInterval(renewShown, ms / 2);
		document.addEventListener('visibilitychange', function () {
			if (!document.hidden)
				renewShown();
		});
	}

	/* ---------------------------------------------------------- actions */

	function onAct(ev) {
		var form = ev.target;
		var button = ev.submitter;
		var action, params, url;

		if (form.classList && form.classList.contains('confirm-form') &&
		    tokenStale(form)) {
			ev.preventDefault();
			submitFresh(form);
			return;
		}
		if (!form.classList || !form.classList.contains('act'))
			return;
		action = (button && button.getAttribute('formaction')) || form.getAttribute('action');
		params = new URLSearchParams(new FormData(form));
		url = action + '?' + params.toString();
		ev.preventDefault();
		fetchPage(url).then(function (page) {
			var confirmForm = page.doc.querySelector('form.confirm-form');
			var question = page.doc.querySelector('.question');
			if (!page.ok || !confirmForm || !question) {
				window.location.href = url;
				return;
			}
			confirmForm.setAttribute('data-made', Date.now());
			if (!window.confirm(question.textContent))
				return;
			confirmForm.hidden = true;
			document.body.appendChild(document.adoptNode(confirmForm));
			submitFresh(confirmForm);
		}, function () {
			window.location.href = url;
		});
	}

	/* ------------------------------------------------------- select all */

	function rowBoxes(table) {
		return [].filter.call(table.querySelectorAll('tbody input[type=checkbox]'),
			function (b) { return !b.disabled; });
	}

	function syncSelectAll() {
		[].forEach.call(document.querySelectorAll('input.select-all'), function (all) {
			var boxes = rowBoxes(all.closest('table'));
			var n = boxes.filter(function (b) { return b.checked; }).length;

			all.disabled = boxes.length === 0;
			all.checked = boxes.length > 0 && n === boxes.length;
			all.indeterminate = n > 0 && n < boxes.length;
		});
	}

	function addSelectAll() {
		[].forEach.call(document.querySelectorAll('table th.sel'), function (th) {
			var box;

			if (th.querySelector('input.select-all'))
				return;
			box = document.createElement('input');
			box.type = 'checkbox';
			box.className = 'select-all';
			box.setAttribute('data-js', '');
			box.setAttribute('aria-label', 'Select all rows');
			th.appendChild(box);
		});
		syncSelectAll();
	}

	function onChange(ev) {
		var t = ev.target;

		if (t.classList && t.classList.contains('select-all')) {
			rowBoxes(t.closest('table')).forEach(function (b) {
				b.checked = t.checked;
			});
		}
		syncSelectAll();
	}

	document.addEventListener('submit', onAct);
	document.addEventListener('change', onChange);
	document.addEventListener('DOMContentLoaded', addSelectAll);
	document.addEventListener('DOMContentLoaded', startRefresh);
	document.addEventListener('DOMContentLoaded', startTokens);
})();
