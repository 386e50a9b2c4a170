// Puts the list a control of the dashboard has just shown (Next, a sort, a filter, a search) in
// the tab's URL, as a new history entry: Back returns to the previous list. The server names
// that URL in the same update as the rows, so the page change is one message, not two (the
// rows, then a redirect event). Only a change seen while mounted counts: the value the page
// mounts with was pushed before and is already in the URL, or was left behind.
import { useEffect, useRef } from "react";
import { useNavigate } from "react-router";

export default function ListUrl({ url }) {
  const navigate = useNavigate();
  const seen = useRef(url);
  useEffect(() => {
    if (url === seen.current) return;
    seen.current = url;
    if (url && url !== window.location.pathname + window.location.search) navigate(url);
  }, [url, navigate]);
  return null;
}
