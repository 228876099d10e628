import type { Metadata } from "next";
import "./styles.css";

export const metadata: Metadata = { title: "Handoff · OpenID Connect example" };

export default function RootLayout({ children }: { children: React.ReactNode }) {
  return (
    <html lang="en">
      <body>{children}</body>
    </html>
  );
}
