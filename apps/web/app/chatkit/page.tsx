import { redirect } from "next/navigation";
import { AppHeader } from "@/components/app-header";
import { ChatKitView } from "@/components/chatkit-view";
import { getViewer } from "@/lib/session";

/**
 * OpenAI's ChatKit UI with the three ways to authenticate it: our own ChatKit server (flow 3,
 * the default), and the legacy hosted-workflow flows 1 and 2, which OpenAI keeps running only
 * through the transition window after Agent Builder's shutdown. Which flows can work is
 * decided here, on the server, from the environment; no secret is passed to the page.
 */
export default async function ChatKitPage() {
  const viewer = await getViewer();
  if (viewer === null) redirect("/sign-in");
  return (
    <>
      <AppHeader email={viewer.email} workspace={viewer.workspace.name} />
      <ChatKitView
        hosted={Boolean(
          process.env.OPENAI_API_KEY?.trim() && process.env.CHATKIT_WORKFLOW_ID?.trim(),
        )}
        directToken={process.env.NEXT_PUBLIC_OPENAI_CHATKIT_TOKEN?.trim() || null}
        domainKey={
          process.env.NEXT_PUBLIC_CHATKIT_DOMAIN_KEY?.trim() || "domain_pk_localhost_placeholder"
        }
      />
    </>
  );
}
