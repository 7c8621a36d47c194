/*
 * Job Service Dashboard: optional behaviour on top of pages that work
 * without it.  Reloads the main region every data-poll seconds (unless the
 * user has rows selected or the tab is hidden), and asks for confirmation
 * in a dialog instead of a separate page: the confirmation page is fetched,
 * its question shown with confirm(), and its form submitted when accepted.
 */
(function () {
	'use strict';

	var parser = new DOMParser();

	function fetchPage(url) {
		return fetch(url, { credentials: 'same-origin' }).then(function (r) {
			return r.text().then(function (text) {
				return { ok: r.ok, doc: parser.parseFromString(text, 'text/html') };
			});
		});
	}

	function busy() {
		return document.querySelector('main input[type=checkbox]:checked') !== null;
	}

	function poll() {
		var main = document.getElementById('main');
		var secs = main ? parseInt(main.getAttribute('data-poll'), 10) : 0;

		if (!secs || secs < 1)
			return;
		window.setTimeout(function () {
			if (document.hidden || busy()) {
				poll();
				return;
			}
			fetchPage(window.location.href).then(function (page) {
				var fresh = page.doc.getElementById('main');
				if (fresh && page.ok) {
					main.replaceWith(fresh);
					bind();
				}
				poll();
			}, poll);
		}, secs * 1000);
	}

	function onAct(ev) {
		var form = ev.currentTarget;
		var button = ev.submitter;
		var action = (button && button.getAttribute('formaction')) || form.getAttribute('action');
		var params = new URLSearchParams(new FormData(form));
		var url = action + '?' + params.toString();

		ev.preventDefault();
		fetchPage(url).then(function (page) {
			var confirmForm = page.doc.querySelector('form.confirm-form');
			var question = page.doc.querySelector('.question');
			if (!page.ok || !confirmForm || !question) {
				window.location.href = url;
				return;
			}
			if (!window.confirm(question.textContent))
				return;
			confirmForm.hidden = true;
			document.body.appendChild(document.adoptNode(confirmForm));
			confirmForm.submit();
		}, function () {
			window.location.href = url;
		});
	}

	function bind() {
		var forms = document.querySelectorAll('form.act');
		for (var i = 0; i < forms.length; i++)
			forms[i].addEventListener('submit', onAct);
	}

	document.addEventListener('DOMContentLoaded', function () {
		bind();
		poll();
	});
})();
