"""Streamlit helpers shared by the pages: state, i18n, formatting, badges, figures, views.

``figures``, ``format``, ``tables`` and ``summary`` are pure (no Streamlit) and unit-tested;
the rest renders. Nothing here imports TensorFlow or Keras.
"""
