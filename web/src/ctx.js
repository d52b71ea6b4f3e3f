import { createContext } from 'preact';
import { useContext } from 'preact/hooks';

// { me, t, stream, navigate, locale } for every page.
export const AppCtx = createContext(null);
export const useApp = () => useContext(AppCtx);
