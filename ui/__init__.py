"""The web app's Streamlit layer, in three sub-packages.

* :mod:`ui.views`: one module per page (or tab group) that ``app_pages/*.py`` calls. A view never
  imports another view; what two views share is a component.
* :mod:`ui.components`: widgets and panels several views use (badges, the scenario editor, the run
  picker, the training form, the job panel, bound scenarios, the active catalog, exports).
* :mod:`ui.session`: what one browser session holds: the store and job manager handles, sign-in,
  the URL's language and number style, the active scenario, the web process's work budget.

What the pages share with the HTML report, the workbook and the command line (formatting, figures,
report data, narrative, share-link codec, translations) is in :mod:`present`, which never imports
Streamlit. Nothing here imports TensorFlow or Keras.
"""
