// Chorus web client. REST under /api, one WebSocket at /ws, both on this page's origin.
// Contracts: api-service/README.md, docs/websocket-protocol.md, docs/asyncapi.yaml.
// All user content goes into the DOM as text (textContent / text nodes), never as HTML.

const $ = (id) => document.getElementById(id);
const SESSION_KEY = 'chorus.session';
const TYPING_SHOW_MS = 4000;
const TYPING_SEND_MS = 2000;
const PAGE_SIZE = 50;

// ---------- small helpers ----------

function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (value !== undefined && value !== null && value !== false) node.setAttribute(key, String(value));
  }
  node.append(...children.filter((c) => c !== null && c !== undefined)); // strings become text nodes
  return node;
}

// crypto.randomUUID needs a secure context (https or localhost); fall back to getRandomValues elsewhere.
function uuid() {
  if (crypto.randomUUID) return crypto.randomUUID();
  const b = crypto.getRandomValues(new Uint8Array(16));
  b[6] = (b[6] & 0x0f) | 0x40;
  b[8] = (b[8] & 0x3f) | 0x80;
  const h = [...b].map((x) => x.toString(16).padStart(2, '0')).join('');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

// The ids are UUIDv7: they begin with their creation time, which users made within a minute share, and end
// with random digits, which tell them apart.
function shortId(id) {
  return id ? id.slice(-8) : '?';
}

function timeOf(iso) {
  return iso ? new Date(iso).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' }) : '';
}

let noticeTimer = 0;
function notice(text) {
  $('notice').textContent = text;
  clearTimeout(noticeTimer);
  if (text) noticeTimer = setTimeout(() => { $('notice').textContent = ''; }, 8000);
}

function setStatus(state, text = state) {
  const s = $('status');
  s.dataset.state = state;
  s.textContent = text;
}

// ---------- session and REST ----------

let session = JSON.parse(sessionStorage.getItem(SESSION_KEY) || 'null');
let refreshing = null; // the one refresh in flight: refresh tokens rotate, and reusing one revokes the login
let refreshTimer = 0;

class ApiError extends Error {
  constructor(message, status, type) {
    super(message);
    this.status = status;
    this.type = type;
  }
}

async function toError(res) {
  let p = {};
  try { p = await res.json(); } catch { /* not a problem document */ }
  const fields = (p.errors || []).map((e) => `${e.field}: ${e.message}`).join('; ');
  let text = [p.detail || p.title || `HTTP ${res.status}`, fields].filter(Boolean).join(' — ');
  if (res.status === 429) text = `Too many requests; try again in ${res.headers.get('Retry-After') || 'a few'} s.`;
  return new ApiError(text, res.status, p.type);
}

function saveSession(tokens) {
  session = {
    accessToken: tokens.accessToken,
    refreshToken: tokens.refreshToken,
    expiresAt: Date.now() + tokens.expiresIn * 1000,
    user: tokens.user,
  };
  sessionStorage.setItem(SESSION_KEY, JSON.stringify(session));
  scheduleRefresh();
  // Keep the open socket alive past the old token's expiry.
  if (ws && ws.readyState === WebSocket.OPEN) wsSend({ type: 'auth', token: session.accessToken, requestId: 'auth' });
}

function scheduleRefresh() {
  clearTimeout(refreshTimer);
  if (!session) return;
  const delay = Math.max(5000, session.expiresAt - Date.now() - 60_000);
  refreshTimer = setTimeout(() => refreshTokens().catch(() => {
    if (session) refreshTimer = setTimeout(scheduleRefresh, 10_000); // server trouble: try again soon
  }), delay);
}

function refreshTokens() {
  if (!refreshing) {
    const refreshToken = session?.refreshToken;
    refreshing = (async () => {
      if (!refreshToken) throw new ApiError('Not logged in.', 401, 'session-ended');
      const res = await fetch('/api/auth/refresh', {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ refreshToken }),
      });
      if (res.status === 401 || res.status === 400) {
        endSession('Your session has ended. Please log in again.');
        throw new ApiError('Session ended.', 401, 'session-ended');
      }
      if (!res.ok) throw await toError(res);
      saveSession(await res.json());
    })().finally(() => { refreshing = null; });
  }
  return refreshing;
}

async function api(path, { method = 'GET', body, retry = true } = {}) {
  if (session && session.expiresAt - Date.now() < 30_000) await refreshTokens();
  const token = session?.accessToken;
  const headers = {};
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  if (token) headers.Authorization = `Bearer ${token}`;
  const res = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  if (res.status === 401 && token && retry) {
    if (session?.accessToken === token) await refreshTokens(); // unless another call already refreshed
    return api(path, { method, body, retry: false });
  }
  if (!res.ok) throw await toError(res);
  return res.status === 204 ? null : res.json();
}

// ---------- sign up, log in, log out ----------

$('auth-form').addEventListener('submit', async (event) => {
  event.preventDefault();
  const mode = event.submitter?.value || 'login';
  const email = $('email').value.trim();
  const password = $('password').value;
  const displayName = $('display-name').value.trim();
  $('auth-error').textContent = '';
  if (!email || !password) return void ($('auth-error').textContent = 'Enter your email and password.');
  if (mode === 'register' && !displayName) return void ($('auth-error').textContent = 'Choose a display name.');
  const body = mode === 'register' ? { email, password, displayName } : { email, password };
  const buttons = [...$('auth-form').querySelectorAll('button')];
  buttons.forEach((b) => { b.disabled = true; });
  try {
    const res = await fetch(`/api/auth/${mode}`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify(body),
    });
    if (!res.ok) {
      const err = await toError(res);
      if (res.status === 401) err.message = 'Wrong email or password.';
      if (err.type === 'email-taken') err.message = 'That email already has an account; log in instead.';
      throw err;
    }
    saveSession(await res.json());
    $('password').value = '';
    startApp();
  } catch (e) {
    $('auth-error').textContent = e.message;
  } finally {
    buttons.forEach((b) => { b.disabled = false; });
  }
});

$('log-out').addEventListener('click', async () => {
  const refreshToken = session?.refreshToken;
  if (refreshToken) {
    await fetch('/api/auth/logout', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ refreshToken }),
    }).catch(() => {});
  }
  endSession('');
});

let chatsTimer = 0;

function startApp() {
  $('auth').hidden = true;
  $('app').hidden = false;
  $('log-out').hidden = false;
  $('me').hidden = false;
  $('me').textContent = session.user.displayName;
  scheduleRefresh();
  connect();
  loadChats();
  clearInterval(chatsTimer);
  chatsTimer = setInterval(loadChats, 20_000); // unread counts of the chats that are not open
}

function endSession(message) {
  session = null;
  sessionStorage.removeItem(SESSION_KEY);
  clearTimeout(refreshTimer);
  clearInterval(chatsTimer);
  disconnect();
  pending.clear();
  closeChat();
  chats = [];
  $('chat-list').replaceChildren();
  $('app').hidden = true;
  $('log-out').hidden = true;
  $('me').hidden = true;
  $('auth').hidden = false;
  $('auth-error').textContent = message;
  notice('');
}

// ---------- chat list, create, join ----------

let chats = []; // ChatSummary: {chat, unreadCount, lastMessage}

async function loadChats() {
  if (!session) return;
  try {
    chats = await api('/api/chats');
    renderChats();
  } catch (e) {
    if (session) notice(`Could not load your chats: ${e.message}`);
  }
}

function renderChats() {
  const items = chats.map(({ chat, unreadCount, lastMessage }) => {
    const open = current?.id === chat.id;
    const unread = open ? 0 : unreadCount;
    const preview = lastMessage && lastMessage.role !== 'system' ? lastMessage.content : '';
    const button = el('button', {
      type: 'button', class: 'chat-item', 'data-testid': 'chat-item', 'data-chat-id': chat.id,
      'aria-current': open ? 'true' : null,
    },
    el('span', { class: 'chat-name' }, chat.name),
    unread > 0 ? el('span', { class: 'badge', 'data-testid': 'unread', 'aria-label': `${unread} unread` }, String(unread)) : null,
    preview ? el('span', { class: 'preview' }, preview) : null);
    button.addEventListener('click', () => openChat(chat.id));
    return el('li', {}, button);
  });
  if (!items.length) items.push(el('li', { class: 'empty' }, 'No chats yet.'));
  $('chat-list').replaceChildren(...items);
}

$('new-chat-form').addEventListener('submit', async (event) => {
  event.preventDefault();
  const name = $('new-chat-name').value.trim();
  if (!name) return;
  try {
    // POST /api/chats takes aiEnabled itself; the open chat's own checkbox PATCHes it later.
    const chat = await api('/api/chats', { method: 'POST', body: { name, aiEnabled: $('ai-enabled').checked } });
    $('new-chat-name').value = '';
    $('ai-enabled').checked = false;
    await loadChats();
    openChat(chat.id);
  } catch (e) {
    notice(`Could not create the chat: ${e.message}`);
  }
});

$('join-form').addEventListener('submit', async (event) => {
  event.preventDefault();
  const code = $('join-code').value.trim().toLowerCase();
  if (!code) return;
  try {
    const chat = await api(`/api/invites/${encodeURIComponent(code)}/join`, { method: 'POST' });
    $('join-code').value = '';
    await loadChats();
    openChat(chat.id);
  } catch (e) {
    notice(e.status === 404 ? 'No invite has that code.'
      : e.type === 'invite-unusable' ? 'That invite has expired or been used up.' : `Could not join: ${e.message}`);
  }
});

// ---------- the open chat ----------

let current = null; // state of the open chat, rebuilt each time one is opened

function newChatState(id) {
  return {
    id,
    chat: null,
    ready: false, // history loaded, so the subscribe knows where to start
    live: false, // the socket's `subscribed` reply has come
    messages: new Map(), // seq -> MessageView
    firstSeq: 0,
    lastSeq: 0,
    hasMore: false,
    readSent: 0,
    names: new Map([[session.user.id, session.user.displayName]]),
    membersAt: 0,
    membersTimer: 0,
    sought: new Set(), // user ids seen in presence that a member list was asked for
    online: [],
    typers: new Map(), // userId -> time until which to show "is typing"
    streams: new Map(), // invocationId -> {pieces, el, text, done}
    finished: new Set(), // invocation ids whose stream is over
  };
}

async function openChat(id) {
  if (current?.id === id) return;
  if (current && wsOpen()) wsSend({ type: 'unsubscribe', chatId: current.id });
  const c = (current = newChatState(id));
  $('no-chat').hidden = true;
  $('chat').hidden = false;
  $('chat').dataset.chatId = id;
  $('chat').dataset.live = 'false';
  $('chat-title').textContent = chats.find((s) => s.chat.id === id)?.chat.name || '';
  $('messages').replaceChildren();
  $('ai-streams').replaceChildren();
  $('invite-code').textContent = '';
  $('load-older').hidden = true;
  renderOnline();
  renderTyping();
  renderCancel();
  notice('');
  renderChats();
  try {
    const [chat, page] = await Promise.all([
      api(`/api/chats/${id}`),
      api(`/api/chats/${id}/messages?limit=${PAGE_SIZE}`),
    ]);
    if (current !== c) return;
    c.chat = chat;
    renderChatHead();
    addMessages(c, page.messages);
    c.hasMore = page.hasMore;
    $('load-older').hidden = !c.hasMore;
    c.ready = true;
    subscribe(c);
    loadMembers(c);
  } catch (e) {
    if (current === c) notice(`Could not open the chat: ${e.message}`);
  }
}

function closeChat() {
  current = null;
  $('chat').hidden = true;
  $('no-chat').hidden = false;
}

function renderChatHead() {
  const { chat } = current;
  $('chat-title').textContent = chat.name;
  $('chat-ai-enabled').checked = chat.aiEnabled;
  $('chat-ai-enabled').disabled = !['owner', 'admin'].includes(chat.membership?.role);
}

$('chat-ai-enabled').addEventListener('change', async (event) => {
  const c = current;
  const aiEnabled = event.target.checked;
  try {
    c.chat = await api(`/api/chats/${c.id}`, { method: 'PATCH', body: { aiEnabled } });
  } catch (e) {
    event.target.checked = !aiEnabled;
    notice(`Could not switch the assistant: ${e.message}`);
  }
});

$('invite-create').addEventListener('click', async () => {
  const c = current;
  try {
    const invite = await api(`/api/chats/${c.id}/invites`, { method: 'POST', body: {} });
    if (current === c) $('invite-code').textContent = invite.code;
  } catch (e) {
    notice(e.status === 403 ? 'You may not invite people to this chat.' : `Could not create an invite: ${e.message}`);
  }
});

$('load-older').addEventListener('click', async () => {
  const c = current;
  if (!c?.firstSeq) return;
  const scroller = $('scroller');
  const fromBottom = scroller.scrollHeight - scroller.scrollTop;
  try {
    const page = await api(`/api/chats/${c.id}/messages?before=${c.firstSeq}&limit=${PAGE_SIZE}`);
    if (current !== c) return;
    addMessages(c, page.messages);
    c.hasMore = page.hasMore;
    $('load-older').hidden = !c.hasMore;
    scroller.scrollTop = scroller.scrollHeight - fromBottom; // keep what the reader was looking at in place
  } catch (e) {
    notice(e.message);
  }
});

// Display names come from the member list; presence and join events ask for it, at most every 3 s.
async function loadMembers(c) {
  if (current !== c) return;
  const wait = c.membersAt + 3000 - Date.now();
  if (wait > 0) {
    if (!c.membersTimer) c.membersTimer = setTimeout(() => { c.membersTimer = 0; loadMembers(c); }, wait);
    return;
  }
  c.membersAt = Date.now();
  try {
    const members = await api(`/api/chats/${c.id}/members`);
    for (const m of members) c.names.set(m.userId, m.displayName);
    if (current !== c) return;
    for (const node of $('chat').querySelectorAll('[data-user-id]')) node.textContent = nameOf(node.dataset.userId);
    renderOnline();
    renderTyping();
  } catch { /* names stay short ids */ }
}

function nameOf(userId) {
  return current?.names.get(userId) || shortId(userId);
}

function nameNode(userId) {
  return el('span', { class: 'name', 'data-user-id': userId }, nameOf(userId));
}

// ---------- messages ----------

const SYSTEM_TEXT = {
  'member.joined': (p) => [nameNode(p.userId), ' joined the chat'],
  'member.left': (p) => [nameNode(p.userId), ' left the chat'],
  'member.removed': (p) => [nameNode(p.userId), ' was removed'],
  'member.updated': (p) => [nameNode(p.userId), ` is now ${p.role}`],
};

function renderMessage(m) {
  const mine = m.senderId && m.senderId === session?.user.id;
  const li = el('li', {
    class: `msg msg-${m.role}${mine ? ' mine' : ''}`,
    'data-testid': 'message', 'data-seq': m.seq, 'data-role': m.role, 'data-event': m.event,
  });
  const time = el('time', { datetime: m.createdAt }, timeOf(m.createdAt));
  if (m.role === 'system') {
    const text = SYSTEM_TEXT[m.event] && m.payload?.userId ? SYSTEM_TEXT[m.event](m.payload) : [m.content];
    li.append(el('span', { class: 'text' }, ...text), time);
  } else {
    li.append(m.role === 'assistant' ? el('span', { class: 'name' }, 'Assistant') : nameNode(m.senderId), time);
    if (m.editedAt && !m.deletedAt) li.append(el('span', { class: 'edited' }, '(edited)'));
    li.append(el('span', { class: 'text', 'data-testid': 'message-text' }, m.deletedAt ? 'Message deleted' : m.content));
  }
  return li;
}

// Whether the reader is at the newest entries, so that what comes next should be scrolled into view.
function atBottom() {
  const scroller = $('scroller');
  return scroller.scrollHeight - scroller.scrollTop - scroller.clientHeight < 80;
}

function scrollToBottom() {
  const scroller = $('scroller');
  scroller.scrollTop = scroller.scrollHeight;
}

// Adds entries in seq order, skipping any already shown; returns the ones that were new.
function addMessages(c, list, { replace = false } = {}) {
  const box = $('messages');
  const follow = atBottom();
  const added = [];
  for (const m of list) {
    const existing = c.messages.has(m.seq) ? box.querySelector(`[data-seq="${m.seq}"]`) : null;
    if (existing && !replace) continue;
    c.messages.set(m.seq, m);
    if (existing) { existing.replaceWith(renderMessage(m)); continue; }
    let after = box.lastElementChild;
    while (after && Number(after.dataset.seq) > m.seq) after = after.previousElementSibling;
    if (after) after.after(renderMessage(m)); else box.prepend(renderMessage(m));
    c.firstSeq = c.firstSeq ? Math.min(c.firstSeq, m.seq) : m.seq;
    c.lastSeq = Math.max(c.lastSeq, m.seq);
    added.push(m);
  }
  if (follow || added.some((m) => m.senderId === session?.user.id)) scrollToBottom();
  return added;
}

// What a new live entry changes besides the list itself.
function onNewEntry(c, m) {
  const p = m.payload || {};
  if (m.clientMessageId) pending.delete(m.clientMessageId);
  if (m.role === 'user' && c.typers.delete(m.senderId)) renderTyping();
  if (m.role === 'assistant' && p.invocationId) {
    c.finished.add(p.invocationId);
    removeStream(c, p.invocationId);
  }
  if (m.event?.startsWith('member.')) loadMembers(c);
  if (m.event === 'chat.updated' && c.chat) {
    if ('name' in p) c.chat.name = p.name;
    if ('aiEnabled' in p) c.chat.aiEnabled = p.aiEnabled;
    renderChatHead();
    loadChats();
  }
  if ((m.event === 'message.edited' || m.event === 'message.deleted') && p.messageId) {
    api(`/api/chats/${c.id}/messages/${p.messageId}`)
      .then((fresh) => { if (current === c && c.messages.has(fresh.seq)) addMessages(c, [fresh], { replace: true }); })
      .catch(() => {});
  }
  if (m.event === 'chat.deleted') notice('This chat was deleted.');
}

function markRead() {
  const c = current;
  if (!c?.live || !wsOpen() || document.visibilityState !== 'visible' || c.lastSeq <= c.readSent) return;
  c.readSent = c.lastSeq;
  wsSend({ type: 'read', chatId: c.id, seq: c.lastSeq, requestId: 'read' });
  const summary = chats.find((s) => s.chat.id === c.id);
  if (summary) summary.unreadCount = 0;
}

document.addEventListener('visibilitychange', () => {
  if (document.visibilityState !== 'visible' || !session) return;
  markRead();
  loadChats();
});

// ---------- sending and typing ----------

const pending = new Map(); // clientMessageId -> {chatId, content}: sends without an ack yet

function sendFrame(clientMessageId) {
  const { chatId, content } = pending.get(clientMessageId);
  // requestId = clientMessageId, so an error frame tells which send it refuses.
  wsSend({ type: 'send', chatId, content, clientMessageId, requestId: clientMessageId });
}

$('compose').addEventListener('submit', (event) => {
  event.preventDefault();
  const input = $('message-input');
  const content = input.value.trim();
  if (!current || !content) return;
  const id = uuid();
  pending.set(id, { chatId: current.id, content });
  if (wsOpen()) sendFrame(id); // otherwise it goes out when the socket opens
  input.value = '';
  input.focus();
});

$('message-input').addEventListener('keydown', (event) => {
  if (event.key === 'Enter' && !event.shiftKey && !event.isComposing) {
    event.preventDefault();
    $('compose').requestSubmit();
  }
});

let typingSentAt = 0;
$('message-input').addEventListener('input', (event) => {
  // The server drops typing frames closer than 2 s apart, and refuses them before `subscribed`.
  if (!current?.live || !event.target.value.trim() || Date.now() - typingSentAt < TYPING_SEND_MS) return;
  typingSentAt = Date.now();
  wsSend({ type: 'typing', chatId: current.id });
});

function renderTyping() {
  const c = current;
  const now = Date.now();
  const names = [];
  if (c) {
    for (const [userId, until] of c.typers) {
      if (until > now) names.push(nameOf(userId)); else c.typers.delete(userId);
    }
  }
  $('typing').textContent = names.length === 0 ? ''
    : names.length === 1 ? `${names[0]} is typing…` : `${names.join(', ')} are typing…`;
}

function renderOnline() {
  const c = current;
  const ids = c?.online || [];
  const unknown = ids.filter((id) => !c.names.has(id) && !c.sought.has(id));
  if (unknown.length) {
    unknown.forEach((id) => c.sought.add(id)); // look each stranger up once, not on every presence frame
    loadMembers(c);
  }
  $('online').replaceChildren(...ids.map((id) => el('li', { 'data-user-id': id }, nameOf(id))));
}

// ---------- the assistant ----------

function ensureStream(c, invocationId) {
  let s = c.streams.get(invocationId);
  if (!s) {
    const text = el('span', { class: 'text', 'data-testid': 'ai-stream-text' }, '…');
    const node = el('div', {
      class: 'msg msg-assistant streaming', 'data-testid': 'ai-stream', 'data-invocation-id': invocationId,
    }, el('span', { class: 'name' }, 'Assistant'), text);
    s = { pieces: [], el: node, text, done: false };
    c.streams.set(invocationId, s);
    const follow = atBottom();
    $('ai-streams').append(node);
    if (follow) scrollToBottom();
    renderCancel();
  }
  return s;
}

function removeStream(c, invocationId) {
  const s = c.streams.get(invocationId);
  if (!s) return;
  s.el.remove();
  c.streams.delete(invocationId);
  renderCancel();
}

function runningStream() {
  for (const [id, s] of current?.streams || []) if (!s.done) return id;
  return null;
}

function renderCancel() {
  $('cancel-ai').hidden = !runningStream();
}

$('ask-ai').addEventListener('click', async () => {
  const c = current;
  if (!c) return;
  const prompt = $('message-input').value.trim();
  $('ask-ai').disabled = true;
  try {
    const invocation = await api(`/api/chats/${c.id}/ai`, { method: 'POST', body: prompt ? { prompt } : {} });
    $('message-input').value = '';
    // Deltas, or even the whole answer, may have come over the socket before this reply.
    if (current === c && !c.finished.has(invocation.id)) ensureStream(c, invocation.id);
  } catch (e) {
    notice(e.type === 'ai-disabled' ? 'The assistant is switched off in this chat.'
      : e.type === 'ai-busy' ? 'The assistant is already answering here; wait or cancel it.'
        : e.status === 403 ? 'You may not ask the assistant in this chat.' : `The assistant could not start: ${e.message}`);
  } finally {
    $('ask-ai').disabled = false;
  }
});

$('cancel-ai').addEventListener('click', async () => {
  const c = current;
  const invocationId = runningStream();
  if (!invocationId) return;
  try {
    await api(`/api/chats/${c.id}/ai/${invocationId}/cancel`, { method: 'POST' });
  } catch (e) {
    if (e.type !== 'ai-not-running') notice(`Could not cancel: ${e.message}`);
  }
});

// After a reconnect: an answer whose ai-end was missed while away would otherwise stream forever.
function checkStreams(c) {
  for (const id of c.streams.keys()) {
    api(`/api/chats/${c.id}/ai/${id}`).then((invocation) => {
      if (invocation.status !== 'pending' && invocation.status !== 'streaming') {
        c.finished.add(id);
        removeStream(c, id); // a successful answer is in the replay, or on its way
      }
    }).catch(() => {});
  }
}

const AI_END_TEXT = {
  failed: 'The assistant could not answer.',
  cancelled: 'The answer was cancelled.',
  timed_out: 'The assistant took too long and was stopped.',
};

// ---------- the WebSocket ----------

let ws = null;
let wantSocket = false;
let attempts = 0;
let reconnectTimer = 0;
let pingTimer = 0;
let lastHeard = 0;

const wsOpen = () => ws?.readyState === WebSocket.OPEN;

function wsSend(frame) {
  if (wsOpen()) ws.send(JSON.stringify(frame));
}

function subscribe(c) {
  if (!wsOpen() || !c.ready) return;
  c.live = false;
  $('chat').dataset.live = 'false';
  // From the last seq we have: the server replays exactly what we missed, then goes live.
  wsSend({ type: 'subscribe', chatId: c.id, afterSeq: c.lastSeq, requestId: `sub:${c.id}` });
}

function connect() {
  clearTimeout(reconnectTimer);
  if (!session) return;
  wantSocket = true;
  setStatus('connecting', 'connecting…');
  // An expired token makes the upgrade fail with a 401 the page cannot see, so refresh first when close.
  const fresh = session.expiresAt - Date.now() < 30_000 ? refreshTokens() : Promise.resolve();
  fresh.then(openSocket, () => { if (session) scheduleReconnect(false); });
}

function openSocket() {
  if (!session || !wantSocket) return;
  const url = `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/ws`;
  const token = session.accessToken;
  const sock = new WebSocket(url, [
    'chorus.v1',
    `quarkus-http-upgrade#Authorization#${encodeURIComponent(`Bearer ${token}`)}`,
  ]);
  let opened = false;
  ws = sock;
  sock.onopen = () => {
    opened = true;
    attempts = 0;
    lastHeard = Date.now();
    setStatus('online');
    clearInterval(pingTimer);
    pingTimer = setInterval(heartbeat, 25_000);
    // Tokens refreshed while the socket was connecting: hand over the newest one.
    if (session.accessToken !== token) wsSend({ type: 'auth', token: session.accessToken, requestId: 'auth' });
    for (const id of pending.keys()) sendFrame(id); // same clientMessageId: stored at most once
    if (current) subscribe(current);
  };
  sock.onmessage = (event) => {
    if (sock !== ws) return;
    lastHeard = Date.now();
    let frame;
    try { frame = JSON.parse(event.data); } catch { return; }
    handleFrame(frame);
  };
  sock.onclose = (event) => { if (sock === ws) dropped(event.code, opened); };
}

// Browsers answer the server's pings without telling us, so check the line with ping frames of our own.
function heartbeat() {
  if (!wsOpen()) return;
  if (Date.now() - lastHeard > 60_000) {
    const dead = ws;
    ws = null; // its close may take long on a dead line; stop listening to it now
    dead.close(4000, 'no reply');
    dropped(4000, true);
    return;
  }
  wsSend({ type: 'ping' });
}

function dropped(code, opened) {
  ws = null;
  clearInterval(pingTimer);
  if (current) {
    current.live = false;
    $('chat').dataset.live = 'false';
  }
  if (!wantSocket || !session) return void setStatus('offline');
  // 1008: the token expired. Never opened: maybe a 401 on the upgrade, which /api/me tells apart.
  scheduleReconnect(code === 1008 ? 'refresh' : opened ? false : 'check');
}

function scheduleReconnect(check) {
  const delay = Math.round(Math.min(30_000, 500 * 2 ** attempts) * (0.5 + Math.random() / 2));
  attempts += 1;
  setStatus('reconnecting', `reconnecting in ${Math.ceil(delay / 1000)} s`);
  clearTimeout(reconnectTimer);
  reconnectTimer = setTimeout(async () => {
    try {
      if (check === 'refresh') await refreshTokens();
      else if (check === 'check') await api('/api/me'); // refreshes on 401
    } catch { /* the session may have ended; connect() checks */ }
    if (wantSocket && session) connect();
  }, delay);
}

function disconnect() {
  wantSocket = false;
  clearTimeout(reconnectTimer);
  clearInterval(pingTimer);
  const sock = ws;
  ws = null;
  sock?.close(1000);
  setStatus('offline');
}

function handleFrame(f) {
  const c = current && f.chatId === current.id ? current : null;
  switch (f.type) {
    case 'message':
      if (c) {
        for (const m of addMessages(c, [f.message])) onNewEntry(c, m);
        markRead();
      }
      break;
    case 'subscribed':
      if (c) {
        c.live = true;
        $('chat').dataset.live = 'true';
        markRead();
        checkStreams(c);
      }
      break;
    case 'ack':
      pending.delete(f.clientMessageId);
      break;
    case 'typing':
      if (c) {
        c.typers.set(f.userId, Date.now() + TYPING_SHOW_MS);
        renderTyping();
        setTimeout(renderTyping, TYPING_SHOW_MS + 100);
      }
      break;
    case 'presence':
      if (c) {
        c.online = f.online;
        renderOnline();
      }
      break;
    case 'ai-delta':
      if (c && !c.finished.has(f.invocationId)) {
        const s = ensureStream(c, f.invocationId);
        const follow = atBottom(); // the answer grows below the newest entry: keep it in view
        s.pieces[f.index] = f.text; // by index: a hole stays empty until its piece comes
        s.text.textContent = s.pieces.join('');
        if (follow) scrollToBottom();
      }
      break;
    case 'ai-end':
      if (c) {
        if (f.status === 'succeeded') {
          const s = c.streams.get(f.invocationId);
          if (s) s.done = true; // the stored assistant message replaces it when it arrives
          renderCancel();
        } else {
          c.finished.add(f.invocationId);
          removeStream(c, f.invocationId);
          notice(AI_END_TEXT[f.status] || `The answer ended: ${f.status}.`);
        }
      }
      break;
    case 'error':
      handleError(f);
      break;
    default: // pong, authenticated, read-marked, read, unsubscribed: nothing to show
  }
}

function handleError(f) {
  const id = f.requestId || '';
  if (id.startsWith('sub:')) {
    if (f.code === 'replay-failed') setTimeout(() => current && subscribe(current), 1000);
    else if (current && id === `sub:${current.id}`) notice(`Cannot follow this chat: ${f.message}`);
  } else if (pending.has(id)) {
    if (f.code === 'rate-limited') setTimeout(() => pending.has(id) && sendFrame(id), 1000);
    else if (f.code !== 'server-draining') { // draining: it is resent after the reconnect
      pending.delete(id);
      notice(`Message not sent: ${f.message}`);
    }
  } else if (f.code === 'not-a-member' && !id) {
    // Left, removed or the chat was deleted: the server ended that subscription.
    loadChats().then(() => {
      if (current && !chats.some((s) => s.chat.id === current.id)) {
        closeChat();
        notice('You are no longer a member of that chat.');
      }
    });
  } else if (f.code !== 'not-subscribed' && f.code !== 'invalid-token') {
    console.warn('chorus: error frame', f);
  }
}

// ---------- start ----------

if (session) {
  // Check the stored session (and refresh it if the access token expired) before showing the app.
  api('/api/me')
    .then((user) => { session.user = user; startApp(); })
    .catch(() => { if (session) startApp(); }); // server unreachable: keep the session, the socket retries
}
