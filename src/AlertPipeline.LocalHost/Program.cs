Console.WriteLine("AlertPipeline local host: not yet implemented.");
return 1;
