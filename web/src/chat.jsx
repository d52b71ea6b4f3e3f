// The chat conversation of one interaction: the transcript (from the event
// log) and a box to answer. New messages arrive live over the WebSocket.
import { useEffect, useRef, useState } from 'preact/hooks';
import { api } from './api.js';
import { useApp } from './ctx.js';

export function Chat({ t, it }) {
  const { stream } = useApp();
  const [messages, setMessages] = useState([]);
  const [text, setText] = useState('');
  const [error, setError] = useState('');
  const list = useRef(null);

  const [loaded, setLoaded] = useState(false);
  useEffect(() => {
    let live = true;
    const key = (m) => `${m.at}|${m.from}|${m.text}`;
    // Listen first, then load the transcript, and merge: nothing said in between is lost.
    const off = stream.on((ev) => {
      if (ev.type === 'chat.message' && ev.data.interaction === it.id)
        setMessages((m) => (m.some((x) => key(x) === key(ev.data)) ? m : [...m, ev.data]));
    });
    api.get(`/api/interactions/${it.id}/messages`).then((loadedMsgs) => {
      if (!live) return;
      setMessages((m) => {
        const seen = new Set(loadedMsgs.map(key));
        return [...loadedMsgs, ...m.filter((x) => !seen.has(key(x)))];
      });
      setLoaded(true);
    }).catch(() => {});
    return () => {
      live = false;
      off();
    };
  }, [it.id]);
  useEffect(() => {
    if (list.current) list.current.scrollTop = list.current.scrollHeight;
  }, [messages.length]);

  const send = async (e) => {
    e.preventDefault();
    if (!text.trim()) return;
    setError('');
    try {
      await api.post(`/api/interactions/${it.id}/messages`, { text });
      setText('');
    } catch (err) {
      setError(err.message);
    }
  };
  return (
    <section class="card chat" aria-label={t('chat.title')} data-testid="chat" data-loaded={loaded ? 'true' : undefined}>
      <h3>{t('chat.title')}</h3>
      <ol class="transcript" ref={list} aria-live="polite">
        {messages.length === 0 && <li class="muted">{t('chat.empty')}</li>}
        {messages.map((m, i) => (
          <li key={i} class={'msg ' + m.from} data-from={m.from}>
            <span class="who">{m.from === 'agent' ? t('chat.you') : t('chat.customer')}</span> {m.text}
          </li>
        ))}
      </ol>
      <form onSubmit={send} class="chat-send">
        <label for={'chat-' + it.id} class="sr-only">{t('chat.message')}</label>
        <input id={'chat-' + it.id} value={text} onInput={(e) => setText(e.currentTarget.value)}
               placeholder={t('chat.message')} disabled={it.state !== 'connected'} data-testid="chat-input" />
        <button type="submit" disabled={it.state !== 'connected' || !text.trim()}>{t('chat.send')}</button>
      </form>
      {error && <p class="error">{error}</p>}
    </section>
  );
}
