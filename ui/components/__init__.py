"""Streamlit components that more than one page view uses."""
