"""The only part of `insight` that imports Streamlit: the shell, caching wrappers and widgets."""
