/*
 * Hankyo dynamic number insertion tag (issue 5, "JS tag"; docs/inventory.md, section "JS tag (dni.js)").
 *
 * A site includes it once per page:
 *
 *   <script src="https://api.example/dni.js" data-pool="POOL_ID" data-number="0120-123-456" async></script>
 *
 * data-pool:   the number pool to ask (its allowed_origins must list the site's origin).
 * data-number: the site's default number(s) shown in the page, comma-separated ("0120-123-456, 050-1111-2222").
 * data-api:    optional, the API's origin when the script is served from elsewhere (default: the script's origin).
 *
 * What it does:
 * 1. Session, one per pool: the first-party cookie hankyo_sid_<pool id> (random, 32 hex digits, 30 days, SameSite=Lax;
 *    Secure on https). A session id belongs to one pool of the operator (another pool answers 409), so a site showing
 *    several pools keeps one session per pool. A visitor's cookie of older versions, hankyo_sid (one for every pool),
 *    is taken over by the first pool that answers it 200 (then deleted); a pool that answers it 409 (it is another
 *    pool's) gets a new id at once, the request asked again once.
 * 2. Tracking parameters: gclid, utm_source, utm_medium, utm_campaign, utm_term, utm_content of the page's URL, plus
 *    landing_page (the URL without #fragment) and referrer (document.referrer), taken on the first page of a visit,
 *    or again on a page whose URL carries gclid / utm_* (a new ad click), and kept in the first-party cookie
 *    hankyo_params (30 days) so that later pages send the same values. It is one for the site, whichever pool's page
 *    is shown: the same ad click is sent to every pool.
 * 3. Asks POST <API origin>/v1/dni/pools/<pool>/assignments {"session_id", "params"} with a 1000 ms
 *    timeout (connection, CORS preflight and answer together, a second request after a 409 included).
 * 4. Replaces the default number(s) with the answer's number: in text (whatever the separators, ASCII or full-width
 *    digits, also +81 forms), written in the same format: the digits change, separators stay; in tel: links
 *    (tel:0120123456, tel:0120-123-456, tel:+81120123456), keeping their style; and in elements added later
 *    (MutationObserver). When the digit counts differ (0120-123-456 shown, 0800-123-4567 assigned), the API's display
 *    form is written instead ("number"; "number_e164" for +81 forms; in tel: links too, its hyphens being RFC 3966
 *    visual separators), and a "(" before the old number whose ")" was inside it goes with it.
 * When the pool is exhausted the API answers its fallback number (fallback: true), shown like any other.
 * On any failure (network, timeout, CORS refusal, non-200 answer) the page is left alone: the default number stays.
 *
 * Outcome, for the site's analytics and for tests: <html data-hankyo-dni="pending|assigned|failed"> and an event
 * "hankyo:dni" on document with detail {status, reason, http_status, pool, number, number_e164, fallback}:
 *   status      "assigned" or "failed";
 *   pool        the data-pool of the script (null when missing): which tag answered, on a page with several;
 *   reason      why the default number was kept (null when assigned): "config" (no data-pool or data-number),
 *               "timeout" (no answer within 1000 ms), "network" (no answer the page may read: network error, API
 *               down, or CORS refusal such as the 403 of an origin not allowed), "http" (an error status, in
 *               http_status: 404 unknown pool, 409, 400, 503 ...), "answer" (200 without a usable number), "error"
 *               (anything else, e.g. the browser refused cookies or crypto);
 *   http_status the answer's HTTP status when the page could read one (200 when assigned), else null.
 *
 * Plain ES2017, no framework, no other request, nothing global besides the cookies, the attribute and the event.
 */
(function () {
  'use strict';

  var TIMEOUT_MS = 1000;
  var DAYS = 30;
  // the visitor's session cookie of one pool is SID_COOKIE + '_' + encodeURIComponent(pool id) (a cookie name is a
  // token: a pool id's ':' becomes %3A); SID_COOKIE alone is the single cookie of versions before, for every pool
  var SID_COOKIE = 'hankyo_sid';
  var PARAMS_COOKIE = 'hankyo_params';
  var AD_PARAMS = ['gclid', 'utm_source', 'utm_medium', 'utm_campaign', 'utm_term', 'utm_content'];
  // Server limits (PoolApi): a value ≤ 1024 bytes, keys and values ≤ 4096 bytes together. The two URLs get 1024 bytes
  // each, the six ad parameters 256 each: 2 * 1024 + 6 * 256 + keys < 4096.
  var MAX_URL_BYTES = 1024;
  var MAX_AD_BYTES = 256;
  // Separators allowed between two digits of a phone number in text: spaces, hyphens and dashes of all widths,
  // dots, parentheses (ASCII and full-width). At most three in a row.
  var SEP = '[\\s\\-\\u2010-\\u2015\\u2212\\u30fc\\uff0d.\\u30fb()\\uff08\\uff09]{0,3}';
  // Elements whose text is not page text.
  var SKIP = { SCRIPT: 1, STYLE: 1, NOSCRIPT: 1, TEXTAREA: 1, TEMPLATE: 1, IFRAME: 1, OBJECT: 1 };

  var script = document.currentScript || document.querySelector('script[data-pool][src*="dni.js"]');
  if (!script) {
    return;
  }
  var root = document.documentElement;
  var pool = script.getAttribute('data-pool') || '';
  var poolSidCookie = SID_COOKIE + '_' + encodeURIComponent(pool);
  var defaults = (script.getAttribute('data-number') || '').split(',')
    .map(digitsOf).filter(function (d) { return d.length >= 6; });
  // the API is where the script comes from, unless data-api names another origin (the script copied to a CDN)
  var apiBase = new URL(script.getAttribute('data-api') || script.src, location.href).origin;

  root.setAttribute('data-hankyo-dni', 'pending');
  if (!pool || defaults.length === 0) {
    finish('failed', null, 'config', null);
    return;
  }

  // ---------------------------------------------------------------------------------------------------------------
  // digits

  /** The ASCII digits of s: full-width digits become ASCII, everything else is dropped. */
  function digitsOf(s) {
    return toAscii(String(s)).replace(/[^0-9]/g, '');
  }

  function toAscii(s) {
    return s.replace(/[\uff10-\uff19]/g, function (c) { return String.fromCharCode(c.charCodeAt(0) - 0xfee0); });
  }

  function isDigit(c) {
    return (c >= '0' && c <= '9') || (c >= '\uff10' && c <= '\uff19');
  }

  /** s with its digits replaced in order by those of newDigits (same count), each in the width of the old one. */
  function rewriteDigits(s, newDigits) {
    var i = 0;
    var out = '';
    for (var k = 0; k < s.length; k++) {
      var c = s.charAt(k);
      if (isDigit(c)) {
        var d = newDigits.charAt(i++);
        out += c >= '\uff10' ? String.fromCharCode(d.charCodeAt(0) + 0xfee0) : d;
      } else {
        out += c;
      }
    }
    return out;
  }

  /** A regular expression source matching the digits d, each ASCII or full-width, with separators between them. */
  function digitPattern(d) {
    return d.split('').map(function (c) {
      return '[' + c + String.fromCharCode(c.charCodeAt(0) + 0xfee0) + ']';
    }).join(SEP);
  }

  // ---------------------------------------------------------------------------------------------------------------
  // cookies and parameters

  function readCookie(name) {
    var parts = document.cookie ? document.cookie.split('; ') : [];
    for (var i = 0; i < parts.length; i++) {
      var eq = parts[i].indexOf('=');
      if (parts[i].substring(0, eq) === name) {
        try {
          return decodeURIComponent(parts[i].substring(eq + 1));
        } catch (e) {
          return null;
        }
      }
    }
    return null;
  }

  function writeCookie(name, value) {
    document.cookie = name + '=' + encodeURIComponent(value) + '; Path=/; Max-Age=' + (DAYS * 86400)
      + '; SameSite=Lax' + (location.protocol === 'https:' ? '; Secure' : '');
  }

  /**
   * s with control characters (the API refuses them in params, tab aside) as spaces, cut to at most max UTF-8 bytes
   * (whole characters).
   */
  function cut(s, max) {
    var enc = new TextEncoder();
    var out = '';
    var bytes = 0;
    for (var ch of s.replace(/[\u0000-\u0008\u000A-\u001F\u007F-\u009F]/g, ' ')) {
      bytes += enc.encode(ch).length;
      if (bytes > max) {
        break;
      }
      out += ch;
    }
    return out;
  }

  function validSessionId(sid) {
    return !!sid && /^[A-Za-z0-9._:-]{1,128}$/.test(sid);
  }

  /** A new random session id, 32 hex digits, stored as this pool's. */
  function newSessionId() {
    var bytes = new Uint8Array(16);
    crypto.getRandomValues(bytes);
    var sid = Array.from(bytes, function (b) { return (b < 16 ? '0' : '') + b.toString(16); }).join('');
    writeCookie(poolSidCookie, sid);
    return sid;
  }

  /**
   * The visitor's session id for this pool: its cookie (expiry renewed on each page), else the older single cookie
   * hankyo_sid when there is one (stored as this pool's: its answer decides, see the header), else a new one.
   */
  function sessionId() {
    var sid = readCookie(poolSidCookie);
    if (!validSessionId(sid)) {
      sid = readCookie(SID_COOKIE);
      if (!validSessionId(sid)) {
        return newSessionId();
      }
    }
    writeCookie(poolSidCookie, sid);
    return sid;
  }

  function deleteCookie(name) {
    document.cookie = name + '=; Path=/; Max-Age=0; SameSite=Lax' + (location.protocol === 'https:' ? '; Secure' : '');
  }

  /** The tracking parameters of this visit (see the header): stored ones, or this page's for a first or new click. */
  function trackingParams() {
    var query = new URLSearchParams(location.search);
    var fresh = {};
    var adClick = false;
    AD_PARAMS.forEach(function (k) {
      var v = query.get(k);
      if (v) {
        fresh[k] = cut(v, MAX_AD_BYTES);
        adClick = true;
      }
    });
    var stored = null;
    try {
      stored = JSON.parse(readCookie(PARAMS_COOKIE) || 'null');
    } catch (e) {
      stored = null;
    }
    if (stored && typeof stored === 'object' && !adClick) {
      var kept = {};
      Object.keys(stored).forEach(function (k) {
        if (typeof stored[k] === 'string') {
          kept[k] = stored[k];
        }
      });
      return kept;
    }
    fresh.landing_page = cut(location.href.split('#')[0], MAX_URL_BYTES);
    if (document.referrer) {
      fresh.referrer = cut(document.referrer, MAX_URL_BYTES);
    }
    var json = JSON.stringify(fresh);
    if (encodeURIComponent(json).length > 3800) {
      // a cookie holds about 4 KiB: keep the ad parameters, shorten the URLs to origin and path
      var small = Object.assign({}, fresh);
      small.landing_page = cut(location.origin + location.pathname, 512);
      delete small.referrer;
      json = JSON.stringify(small);
    }
    writeCookie(PARAMS_COOKIE, json);
    return fresh;
  }

  // ---------------------------------------------------------------------------------------------------------------
  // replacement

  /**
   * Builds the replacer for the assigned number: a function of a text that answers the text with every default
   * number replaced (or the same string when it has none).
   */
  function textReplacer(number, e164) {
    var national = digitsOf(number);
    var intlRest = national.charAt(0) === '0' ? national.substring(1) : national;
    var rules = [];
    defaults.forEach(function (d) {
      // national form: 0120-123-456, (0120) 123 456, ０１２０－１２３－４５６
      rules.push({ re: new RegExp('(^|[^0-9\\uff10-\\uff19])(' + digitPattern(d) + ')(?![0-9\\uff10-\\uff19])', 'g'),
        digits: national, whole: number });
      // international form: +81 120-123-456, +81-120-123-456 (the national leading 0 dropped)
      if (d.charAt(0) === '0') {
        rules.push({ re: new RegExp('(^|[^0-9\\uff10-\\uff19])([+\\uff0b]' + SEP + digitPattern('81' + d.substring(1))
          + ')(?![0-9\\uff10-\\uff19])', 'g'), digits: '81' + intlRest, whole: e164 });
      }
    });
    return function (text) {
      var out = text;
      rules.forEach(function (rule) {
        out = out.replace(rule.re, function (all, before, found) {
          var count = digitsOf(found).length;
          if (count === rule.digits.length) {
            return before + rewriteDigits(found, rule.digits);
          }
          // the display form replaces the whole match; a "(" just before it whose ")" was inside the match goes too,
          // so "(050) 1234-5678" becomes "0120-500-001", not "(0120-500-001"
          var open = /[(\uff08]$/.test(before) && /[)\uff09]/.test(found);
          return (open ? before.substring(0, before.length - 1) : before) + rule.whole;
        });
      });
      return out;
    };
  }

  /**
   * Builds the rewriter of tel: hrefs: the new href, or null when the link is not to a default number. When the digit
   * counts differ, the display form (number, its separators are RFC 3966 visual separators) or e164 is written.
   */
  function telRewriter(national, e164, number) {
    var intl = e164.replace(/^\+/, '');
    return function (href) {
      var m = /^(tel:)(.*)$/i.exec(href);
      if (!m) {
        return null;
      }
      // a leading %2B is an encoded +; parameters (;ext=…) and pauses (,) after the number are kept as they are
      var body = m[2].replace(/^\s*%2b/i, '+');
      var digits = digitsOf(body.split(/[;,]/)[0]);
      var international = /^\s*\+/.test(body);
      for (var i = 0; i < defaults.length; i++) {
        var d = defaults[i];
        var target = international ? '81' + d.substring(1) : d;
        if (digits === target) {
          var replacement = international ? intl : national;
          var head = body.split(/[;,]/)[0];
          var tail = body.substring(head.length);
          var rewritten = digitsOf(head).length === replacement.length ? rewriteDigits(head, replacement)
            : (international ? e164 : number);
          return m[1] + rewritten + tail;
        }
      }
      return null;
    };
  }

  /** Replaces the default numbers in the text nodes and tel: links under node (itself included). */
  function replaceIn(node, replaceText, rewriteTel) {
    if (node.nodeType === Node.TEXT_NODE) {
      replaceTextNode(node, replaceText);
      return;
    }
    if (node.nodeType !== Node.ELEMENT_NODE && node.nodeType !== Node.DOCUMENT_NODE) {
      return;
    }
    if (node.nodeType === Node.ELEMENT_NODE) {
      if (SKIP[node.nodeName]) {
        return;
      }
      rewriteLink(node, rewriteTel);
    }
    var links = node.querySelectorAll('[href^="tel:" i]');
    for (var i = 0; i < links.length; i++) {
      rewriteLink(links[i], rewriteTel);
    }
    var walker = document.createTreeWalker(node, NodeFilter.SHOW_TEXT, null);
    var texts = [];
    for (var t = walker.nextNode(); t; t = walker.nextNode()) {
      texts.push(t);
    }
    texts.forEach(function (text) {
      replaceTextNode(text, replaceText);
    });
  }

  function replaceTextNode(text, replaceText) {
    var parent = text.parentNode;
    if (!parent || SKIP[parent.nodeName] || !/[0-9\uff10-\uff19]/.test(text.nodeValue)) {
      return;
    }
    var replaced = replaceText(text.nodeValue);
    if (replaced !== text.nodeValue) {
      text.nodeValue = replaced;
    }
  }

  function rewriteLink(el, rewriteTel) {
    var href = el.getAttribute && el.getAttribute('href');
    if (href) {
      var rewritten = rewriteTel(href.trim());
      if (rewritten !== null && rewritten !== href) {
        el.setAttribute('href', rewritten);
      }
    }
  }

  /**
   * Replaces the numbers in the page now and in whatever is added or changed later. The observer's callback drops
   * the records of its own changes (takeRecords), and a replaced text no longer contains a default number, so it
   * never loops.
   */
  function replaceEverywhere(number, e164) {
    var replaceText = textReplacer(number, e164);
    var rewriteTel = telRewriter(digitsOf(number), e164, number);
    replaceIn(root, replaceText, rewriteTel);
    var observer = new MutationObserver(function (records) {
      records.forEach(function (r) {
        if (r.type === 'childList') {
          r.addedNodes.forEach(function (n) { replaceIn(n, replaceText, rewriteTel); });
        } else if (r.type === 'characterData') {
          replaceTextNode(r.target, replaceText);
        } else if (r.type === 'attributes') {
          rewriteLink(r.target, rewriteTel);
        }
      });
      observer.takeRecords();
    });
    observer.observe(root, { childList: true, subtree: true, characterData: true,
      attributes: true, attributeFilter: ['href'] });
  }

  /** Ends the tag's work: the attribute and the event (see the header); reason null and http_status 200 on success. */
  function finish(status, answer, reason, httpStatus) {
    root.setAttribute('data-hankyo-dni', status);
    document.dispatchEvent(new CustomEvent('hankyo:dni', { detail: {
      status: status,
      reason: reason,
      http_status: httpStatus,
      pool: pool || null,
      number: answer ? answer.number : null,
      number_e164: answer ? answer.number_e164 : null,
      fallback: answer ? answer.fallback === true : false
    } }));
  }

  // ---------------------------------------------------------------------------------------------------------------
  // the request

  /** An error carrying the reason reported in the event. */
  function failure(reason) {
    var e = new Error(reason);
    e.hankyoReason = reason;
    return e;
  }

  var controller = new AbortController();
  var timer = setTimeout(function () { controller.abort(); }, TIMEOUT_MS);
  var httpStatus = null;
  var sid;
  var params;
  try {
    sid = sessionId();
    params = trackingParams();
  } catch (e) {
    clearTimeout(timer);
    finish('failed', null, 'error', null);
    return;
  }

  /** The assignment request for session id s. */
  function ask(s) {
    return fetch(apiBase + '/v1/dni/pools/' + encodeURIComponent(pool) + '/assignments', {
      method: 'POST',
      mode: 'cors',
      credentials: 'omit',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ session_id: s, params: params }),
      signal: controller.signal
    });
  }

  ask(sid).then(function (response) {
    if (response.status === 409) {
      // the session id is another pool's (an older single cookie, or a copied one): a new one for this pool, once
      sid = newSessionId();
      return ask(sid);
    }
    return response;
  }).then(function (response) {
    httpStatus = response.status;
    if (response.status === 404) {
      // no such pool (a wrong data-pool, or a pool deleted since): its session cookie would only be sent again with
      // every later page, for nothing
      deleteCookie(poolSidCookie);
    }
    if (!response.ok) {
      throw failure('http');
    }
    if (readCookie(SID_COOKIE) === sid) {
      // this pool's answer to the older single cookie: it is this pool's session now, and no other pool's
      deleteCookie(SID_COOKIE);
    }
    return response.json().catch(function () {
      throw failure(controller.signal.aborted ? 'timeout' : 'answer');
    });
  }).then(function (answer) {
    clearTimeout(timer);
    if (controller.signal.aborted) {
      throw failure('timeout');
    }
    if (!answer || typeof answer.number !== 'string'
        || typeof answer.number_e164 !== 'string' || digitsOf(answer.number).length < 6) {
      throw failure('answer');
    }
    replaceEverywhere(answer.number, answer.number_e164);
    finish('assigned', answer, null, httpStatus);
  }).catch(function (e) {
    // network error or CORS refusal (a TypeError of fetch, no status), timeout (AbortError), error status, bad
    // answer: the default number stays, and the event says why
    clearTimeout(timer);
    var reason = e && e.hankyoReason ? e.hankyoReason
      : controller.signal.aborted || (e && e.name === 'AbortError') ? 'timeout'
        : httpStatus === null && e instanceof TypeError ? 'network' : 'error';
    finish('failed', null, reason, httpStatus);
  });
})();
