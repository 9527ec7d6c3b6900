"""The demo: a realistic company's forms (:mod:`generator`) run through the real pipeline (:mod:`run`)."""
