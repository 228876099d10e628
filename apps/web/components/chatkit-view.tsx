"use client";

import { ChatKit, useChatKit } from "@openai/chatkit-react";
import { createChatKitFetch, createClientSecretGetter } from "handoff-bff/chatkit/client";
import { useEffect, useMemo, useState } from "react";
import { AgentPanel } from "./agent-panel";
import styles from "./chatkit.module.css";
import layout from "./dashboard.module.css";

/** Where OpenAI serves the ChatKit web component; it loads from nowhere else. */
const CHATKIT_SCRIPT = "https://cdn.platform.openai.com/deployments/chatkit/chatkit.js";
/** How long to wait for the component before saying it cannot load. */
const LOAD_TIMEOUT_MS = 8_000;

type Flow = "custom-backend" | "client-secret" | "direct-token";

interface Props {
  /** Flow 1 is configured on the server (`OPENAI_API_KEY` and `CHATKIT_WORKFLOW_ID`). */
  hosted: boolean;
  /** Flow 2's public token (`NEXT_PUBLIC_OPENAI_CHATKIT_TOKEN`), if any. */
  directToken: string | null;
  /** `NEXT_PUBLIC_CHATKIT_DOMAIN_KEY`, or a placeholder that works on localhost. */
  domainKey: string;
}

interface FlowOption {
  value: Flow;
  label: string;
  note: string;
  available: boolean;
  /** Depends on OpenAI's hosted workflows, which outlive Agent Builder only for a while. */
  legacy: boolean;
}

/**
 * The ChatKit page: a flow picker, the ChatKit UI, or a plain notice and the agent instead.
 * Flow 3 (our own ChatKit server) is the default and the recommended path: OpenAI's Agent
 * Builder shut down on 2026-11-30, and flows 1 and 2 run hosted workflows that keep working
 * only through OpenAI's transition window (docs/chatkit.md).
 */
export function ChatKitView({ hosted, directToken, domainKey }: Props) {
  const [flow, setFlow] = useState<Flow>("custom-backend");
  const script = useChatKitScript();
  const flows: FlowOption[] = [
    {
      value: "custom-backend",
      label: "Custom backend (recommended)",
      note: "Our own ChatKit server (apps/api /chatkit) through Handoff: the cookie does the rest, no token in the browser, conversations in our database.",
      available: true,
      legacy: false,
    },
    {
      value: "client-secret",
      label: "Client secret (legacy)",
      note: "An OpenAI-hosted workflow; the server mints a short-lived secret for your user. Agent Builder shut down on 2026-11-30: hosted workflows keep working only during OpenAI's transition window.",
      available: hosted,
      legacy: true,
    },
    {
      value: "direct-token",
      label: "Direct token (legacy)",
      note: "A public token for a hosted workflow, the same for every visitor: public, anonymous chats only, and only during OpenAI's transition window.",
      available: directToken !== null,
      legacy: true,
    },
  ];
  return (
    <main id="main" className={layout.layout}>
      <section className={layout.panel} aria-labelledby="chatkit-heading">
        <h1 id="chatkit-heading" className={styles.heading}>
          ChatKit
        </h1>
        <fieldset className={styles.flows} data-testid="chatkit-flows">
          <legend>Authentication flow</legend>
          <p className={styles.note} data-testid="chatkit-retirement">
            OpenAI's Agent Builder shut down on 30 November 2026. The legacy flows run hosted
            workflows, which keep working only through OpenAI's transition window; the custom
            backend does not depend on them.
          </p>
          {flows.map((option) => (
            <label
              key={option.value}
              className={styles.flow}
              data-available={option.available}
              data-legacy={option.legacy}
              data-testid={`chatkit-flow-label-${option.value}`}
            >
              <input
                type="radio"
                name="flow"
                value={option.value}
                checked={flow === option.value}
                disabled={!option.available}
                onChange={() => setFlow(option.value)}
                data-testid={`chatkit-flow-${option.value}`}
              />
              <span>
                <strong>{option.label}</strong>
                <span className={styles.note}>
                  {option.note}
                  {option.available ? "" : " Not configured on this server."}
                </span>
              </span>
            </label>
          ))}
        </fieldset>
        {script === "ready" ? (
          <ChatKitPanel key={flow} flow={flow} domainKey={domainKey} directToken={directToken} />
        ) : script === "loading" ? (
          <p className={styles.status} data-testid="chatkit-status" data-state="loading">
            Loading ChatKit from OpenAI…
          </p>
        ) : (
          <div
            className={styles.status}
            role="status"
            data-testid="chatkit-status"
            data-state="unavailable"
          >
            <p>
              <strong>ChatKit could not be loaded.</strong> Its web component is only served by
              OpenAI's CDN (<code>cdn.platform.openai.com</code>), which this browser cannot reach.
              Use the TaskFlow agent instead: it answers the same questions through the same
              backend.
            </p>
          </div>
        )}
      </section>
      {script === "failed" ? <AgentPanel onTasksChanged={() => {}} /> : null}
    </main>
  );
}

function ChatKitPanel({
  flow,
  domainKey,
  directToken,
}: {
  flow: Flow;
  domainKey: string;
  directToken: string | null;
}) {
  const api = useMemo(() => {
    if (flow === "custom-backend") {
      return { url: "/api/chatkit", domainKey, fetch: createChatKitFetch() };
    }
    if (flow === "client-secret") return { getClientSecret: createClientSecretGetter() };
    return { getClientSecret: async () => directToken ?? "" };
  }, [flow, domainKey, directToken]);
  const { control } = useChatKit({ api });
  return <ChatKit control={control} className={styles.chatkit} />;
}

/** Loads the ChatKit script once; "failed" when it errors or does not define its element in time. */
function useChatKitScript(): "loading" | "ready" | "failed" {
  const [state, setState] = useState<"loading" | "ready" | "failed">("loading");
  useEffect(() => {
    if (customElements.get("openai-chatkit")) {
      setState("ready");
      return;
    }
    let done = false;
    const finish = (next: "ready" | "failed") => {
      if (done) return;
      done = true;
      setState(next);
    };
    let script = document.querySelector<HTMLScriptElement>(`script[src="${CHATKIT_SCRIPT}"]`);
    if (script === null) {
      script = document.createElement("script");
      script.src = CHATKIT_SCRIPT;
      script.async = true;
      document.head.append(script);
    }
    script.addEventListener("error", () => finish("failed"));
    void customElements.whenDefined("openai-chatkit").then(() => finish("ready"));
    const timer = setTimeout(() => finish("failed"), LOAD_TIMEOUT_MS);
    return () => clearTimeout(timer);
  }, []);
  return state;
}
