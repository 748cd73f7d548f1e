// The page's language (html lang): Chinese by default, English when the page is English.
export function t(zh, en) {
  return (document.documentElement.lang || "").toLowerCase().startsWith("en") ? en : zh;
}
