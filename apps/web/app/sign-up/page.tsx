import type { Metadata } from "next";
import { redirect } from "next/navigation";
import { AuthForm } from "@/components/auth-form";
import { getViewer } from "@/lib/session";

export const metadata: Metadata = { title: "Create your account" };

export default async function SignUpPage() {
  if ((await getViewer()) !== null) redirect("/");
  return <AuthForm mode="sign-up" />;
}
