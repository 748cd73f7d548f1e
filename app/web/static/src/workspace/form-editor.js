// The form editor (see form-editor.js history).
