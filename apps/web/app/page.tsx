import { redirect } from "next/navigation";
import { AppHeader } from "@/components/app-header";
import { Dashboard } from "@/components/dashboard";
import { liveUpdatesAvailable } from "@/lib/live-updates";
import { getViewer } from "@/lib/session";

/** The dashboard; signed-out visitors go to sign-in (checked here, on the server). */
export default async function HomePage() {
  const viewer = await getViewer();
  if (viewer === null) redirect("/sign-in");
  return (
    <>
      <AppHeader email={viewer.email} workspace={viewer.workspace.name} />
      <Dashboard live={liveUpdatesAvailable()} />
    </>
  );
}
