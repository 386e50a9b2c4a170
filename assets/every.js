// Calls onTick every `interval` milliseconds while mounted (the dashboard's refresh), in place
// of a moment.js clock that was only used as a timer.
import { useEffect, useRef } from "react";

export default function Every({ interval, onTick }) {
  const tick = useRef(onTick);
  tick.current = onTick;
  useEffect(() => {
    const id = setInterval(() => tick.current && tick.current(), interval);
    return () => clearInterval(id);
  }, [interval]);
  return null;
}
