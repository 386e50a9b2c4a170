// The dashboard's paid-per-month chart, loaded after the page (recharts is ~300 kB of
// JavaScript): invoice_crm/components/dashboard.py imports this lazily.
import { createElement as h } from "react";
import { Bar, BarChart, CartesianGrid, ResponsiveContainer, Tooltip, XAxis, YAxis } from "recharts";

function money(currency, locale, compact) {
  const options = { style: "currency", currency };
  // Compact notation groups only from five digits by default ("3800 $" under de_DE, next to
  // "3.800,00 $" everywhere else): grouped always, as Babel writes the app's other amounts.
  if (compact) Object.assign(options, { notation: "compact", useGrouping: "always" });
  const format = new Intl.NumberFormat(String(locale || "en-US").replace("_", "-"), options);
  return (value) => format.format(value);
}

export default function PaidChart({ data, currency, locale, height }) {
  return h(
    ResponsiveContainer,
    { width: "100%", height: height || 200 },
    h(
      BarChart,
      { data: data || [] },
      h(CartesianGrid, { strokeDasharray: "3 3", vertical: false }),
      h(XAxis, { dataKey: "month", fontSize: 11 }),
      h(YAxis, { fontSize: 11, width: 64, tickFormatter: money(currency, locale, true) }),
      h(Tooltip, { formatter: money(currency, locale, false) }),
      h(Bar, { dataKey: "paid", fill: "var(--green-9)", radius: [4, 4, 0, 0], name: "Paid" }),
    ),
  );
}
