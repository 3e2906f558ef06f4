"""Customer Insight core: workspace, import, metrics and views. Runs without Streamlit."""
