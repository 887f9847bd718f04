// Webview entry; replaced by the panel work item.
export {};
