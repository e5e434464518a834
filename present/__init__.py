"""What the pages, the HTML report, the workbook and the command line share, without Streamlit.

Number and currency formatting (:mod:`present.format`), translations (:mod:`present.i18n`),
figure builders and the one chart template (:mod:`present.figures`, :mod:`present.theme`), the
report's data (:mod:`present.report_data`), the HTML report and the workbook, the narrative,
the share-link codec and the registries of pages, scenario fields and KPIs
(:mod:`present.page_registry`, :mod:`present.field_registry`, :mod:`present.kpi_registry`). It
imports the economics (:mod:`bizmodel`) and mlcore's client side, never Streamlit, TensorFlow or
the web app (:mod:`ui`).
"""
