"""The link pages and the calendar feed's HTTP side: security headers, refusals and failures, page templates."""
