import { useEffect } from 'react';

export const APP_NAME = 'Graphistry Admin';

/** The window's (and the tab's) title names the screen: "Users · Graphistry Admin". */
export function useTitle(screen: string | null | undefined): void {
  useEffect(() => {
    document.title = screen ? `${screen} · ${APP_NAME}` : APP_NAME;
  }, [screen]);
}
