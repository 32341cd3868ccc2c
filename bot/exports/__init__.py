"""Officers' exports: XLSX, zipped CSV and a PDF report, pseudonymised and suppressed like published results."""
