"""The Streamlit app: the sidebar, the pages and the caches (the only Streamlit code)."""
