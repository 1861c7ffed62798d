import { useEffect, useId, useRef, useState, type KeyboardEvent, type ReactNode } from 'react';

export interface MenuItem {
  key: string;
  label: ReactNode;
  /** Runs after the menu has closed and focus is back on its button (the action may move focus on). */
  onSelect(): void;
  /** A choice among several (the connection in use): read as a radio item, checked or not. */
  checked?: boolean;
  disabled?: boolean;
}

/**
 * A menu button, as the WAI-ARIA Authoring Practices describe it: Enter,
 * Space or Down arrow open the menu on its first item (the checked one, for
 * a choice), Up arrow on its last; in the menu the arrows, Home and End move,
 * Enter or Space choose, Escape and Tab close it with focus back on the
 * button. Nothing happens on moving, only on choosing: the connection
 * switcher must never switch servers because an arrow key was pressed.
 */
export function MenuButton(props: {
  /** The button's visible content. */
  label: ReactNode;
  /** Its accessible name when the visible content is not enough ("Connection: Production"). */
  ariaLabel?: string;
  /** The menu's accessible name. */
  menuLabel: string;
  items: MenuItem[];
  /** Shown above the items, outside the menu role (who is signed in). */
  head?: ReactNode;
  className?: string;
  buttonClassName?: string;
  disabled?: boolean;
}) {
  const [open, setOpen] = useState(false);
  const [start, setStart] = useState<'first' | 'last'>('first');
  const id = useId();
  const box = useRef<HTMLDivElement>(null);
  const button = useRef<HTMLButtonElement>(null);
  const items = () => [...(box.current?.querySelectorAll<HTMLElement>('[role^=menuitem]') ?? [])];

  useEffect(() => {
    if (!open) return;
    const all = items();
    const checked = all.find((e) => e.getAttribute('aria-checked') === 'true');
    (start === 'last' ? all.at(-1) : (checked ?? all[0]))?.focus();
    const outside = (e: MouseEvent) => !box.current?.contains(e.target as Node) && setOpen(false);
    document.addEventListener('mousedown', outside);
    return () => document.removeEventListener('mousedown', outside);
  }, [open, start]);

  function close(focusButton = true) {
    setOpen(false);
    if (focusButton) button.current?.focus();
  }

  function onButtonKey(e: KeyboardEvent<HTMLButtonElement>) {
    if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
      e.preventDefault();
      setStart(e.key === 'ArrowUp' ? 'last' : 'first');
      setOpen(true);
    }
  }

  function onMenuKey(e: KeyboardEvent<HTMLDivElement>) {
    const all = items();
    const at = all.indexOf(document.activeElement as HTMLElement);
    const move = (to: number) => {
      e.preventDefault();
      all[(to + all.length) % all.length]?.focus();
    };
    if (e.key === 'ArrowDown') move(at + 1);
    else if (e.key === 'ArrowUp') move(at - 1);
    else if (e.key === 'Home') move(0);
    else if (e.key === 'End') move(all.length - 1);
    else if (e.key === 'Escape' || e.key === 'Tab') {
      e.preventDefault();
      e.stopPropagation();
      close();
    }
  }

  function choose(item: MenuItem) {
    if (item.disabled) return;
    close();
    item.onSelect();
  }

  return (
    <div className={`menu-host ${props.className ?? ''}`} ref={box}>
      <button
        ref={button}
        type="button"
        className={props.buttonClassName ?? 'ghost'}
        aria-haspopup="menu"
        aria-expanded={open}
        aria-controls={open ? id : undefined}
        aria-label={props.ariaLabel}
        disabled={props.disabled}
        onClick={() => (open ? close() : (setStart('first'), setOpen(true)))}
        onKeyDown={onButtonKey}
      >
        {props.label} <span aria-hidden="true">▾</span>
      </button>
      {open ? (
        <div className="menu" onKeyDown={onMenuKey}>
          {props.head}
          <div role="menu" id={id} aria-label={props.menuLabel}>
            {props.items.map((item) => (
              <button
                key={item.key}
                type="button"
                tabIndex={-1}
                role={item.checked === undefined ? 'menuitem' : 'menuitemradio'}
                aria-checked={item.checked}
                aria-disabled={item.disabled || undefined}
                className={item.checked ? 'checked' : undefined}
                onClick={() => choose(item)}
              >
                {item.label}
              </button>
            ))}
          </div>
        </div>
      ) : null}
    </div>
  );
}
