"""Officers' exports: XLSX, zipped CSV and a report (HTML and tagged PDF), pseudonymised and suppressed like
published results."""
