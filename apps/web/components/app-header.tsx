import Link from "next/link";
import { signOut } from "@/lib/auth-actions";
import styles from "./app-header.module.css";
import { Logo } from "./logo";

/** The bar above the dashboard: product, workspace, who is signed in, and sign-out. */
export function AppHeader({ email, workspace }: { email: string; workspace: string }) {
  return (
    <header className={styles.bar}>
      <div className={styles.brand}>
        <Logo />
        <span className={styles.name}>TaskFlow</span>
        <span className={styles.workspace} data-testid="workspace-name">
          {workspace}
        </span>
        <nav aria-label="Pages" className={styles.nav}>
          <Link href="/" data-testid="nav-tasks">
            Tasks
          </Link>
          <Link href="/chatkit" data-testid="nav-chatkit">
            ChatKit
          </Link>
        </nav>
      </div>
      <div className={styles.account}>
        <span className={styles.email} data-testid="user-email">
          {email}
        </span>
        <form action={signOut}>
          <button type="submit" className="button button-quiet" data-testid="sign-out">
            Sign out
          </button>
        </form>
      </div>
    </header>
  );
}
