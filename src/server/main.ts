// Language server entry; replaced by the language-server work item.
export {};
