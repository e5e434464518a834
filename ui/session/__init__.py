"""What one browser session holds: store and job handles, sign-in, URL language and style, the
active scenario and the web process's work budget."""
