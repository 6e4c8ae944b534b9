// Formatting of protocol values for display.

// Parses a protocol date-time (UTC without a zone suffix, such as
// "2025-03-10T12:00:00.12") into a Date.
export function parseTimestamp(text) {
  const match = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?$/.exec(text);
  if (!match) return new Date(NaN);
  const [, year, month, day, hour, minute, second, fraction = ""] = match;
  const milliseconds = Number(fraction.padEnd(3, "0").slice(0, 3));
  return new Date(Date.UTC(Number(year), Number(month) - 1, Number(day), Number(hour), Number(minute),
    Number(second), milliseconds));
}

const timeFormat = new Intl.DateTimeFormat(undefined, { hour: "2-digit", minute: "2-digit" });
const dateTimeFormat = new Intl.DateTimeFormat(undefined, { dateStyle: "medium", timeStyle: "short" });
const fullFormat = new Intl.DateTimeFormat(undefined, { dateStyle: "full", timeStyle: "long" });

// Formats a Date in the viewer's time zone: the time alone for today, the
// date and time otherwise.
export function formatMessageTime(date, now = new Date()) {
  const sameDay = date.getFullYear() === now.getFullYear() && date.getMonth() === now.getMonth()
    && date.getDate() === now.getDate();
  return sameDay ? timeFormat.format(date) : dateTimeFormat.format(date);
}

export function formatFullTime(date) {
  return fullFormat.format(date);
}

// Compares two message ids, which are 63-bit integers written as strings.
export function compareIds(left, right) {
  const a = BigInt(left);
  const b = BigInt(right);
  if (a < b) return -1;
  if (a > b) return 1;
  return 0;
}
