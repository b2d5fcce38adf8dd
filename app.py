"""Casebook entry point: page configuration and navigation, nothing else."""

import streamlit as st

st.set_page_config(page_title="Casebook", page_icon="🩺", layout="wide")
st.title("Casebook")
st.write("Clinical-judgment cases for nursing students.")
