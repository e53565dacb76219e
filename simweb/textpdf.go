package simweb

// TextPDF writes rows as a PDF with a text layer, one line per row and its
// cells in columns, in the standard CJK font (see textPDF): for tests of the
// PDF reader on layouts of their own.
func TextPDF(rows [][]string) []byte { return textPDF(rows) }
