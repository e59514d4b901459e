"""Reviewer pages, one module per page: `home`, `item` (the review page), `actions` (one view per
action on a claimed item), `recent`. Views are thin: parse the form → call the service → render or
redirect. Domain errors become a message on the page with the error's HTTP status; nothing here
decides what is allowed."""
