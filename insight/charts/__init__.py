"""Plotly figures for the pages, by the page that draws them (`sales`, `segments`, `churn`,
`complaints`), the kinds several pages share (`kinds`) and what all of them share (`base`). Every
clickable mark carries its drill key in `customdata`; each trace says how its figures read
(`meta={"fmt": …}`), and insight/chart_style.py applies the chart rules (formats, ticks, colours,
labels) when the figure is drawn."""
