"""The numbers without opening the app: saved views, reports (HTML, PDF, PNG), their delivery by
e-mail or webhook, and schedules. Everything here works without Streamlit."""
