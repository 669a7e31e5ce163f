"""zensical"""
