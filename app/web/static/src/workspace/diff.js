// The visual diff.
