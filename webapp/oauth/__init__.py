"""The OAuth connect flow of the web app: connect, callback, picker."""
